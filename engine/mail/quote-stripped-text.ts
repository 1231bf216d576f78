/**
 * The new part of a reply: the text above the quoted history and the
 * signature. Rules match keywords in it (`message.newText`), so a customer's
 * "thanks, solved" is not classified by the "awaria krytyczna" quoted below it.
 * The full text is always kept next to it.
 *
 * Heuristic, line based, conservative: it cuts at the first line that starts
 * a quote in the common clients (English and Polish wording), and when the
 * cut would leave nothing (a message that is all quote, or starts with a
 * quote and answers inline) the full text is returned.
 */
const QUOTE_HEADERS: RegExp[] = [
  // Gmail, Apple Mail, Thunderbird: "On Mon, 2 Mar 2026 at 10:00, Anna <a@x> wrote:"
  /^\s*On\b.{0,200}\bwrote:\s*$/i,
  // Thunderbird / Gmail in Polish: "W dniu 2.03.2026 o 10:00, Anna pisze:", "Dnia ... napisał(a):", "... napisał:"
  /^\s*(W dniu|Dnia)\b.{0,200}\b(pisze|napisał(\(a\))?|napisała|napisał\/a):\s*$/iu,
  // "Anna Nowak <anna@x.pl> napisał(a):" — only with an address or a date in the line, so prose ending in "wrote:" stays
  /^(?=.*[@\d]).{0,200}\b(napisał(\(a\))?|napisała|wrote):\s*$/iu,
  // Outlook and webmail separators
  /^\s*-{2,}\s*(Original Message|Oryginalna wiadomość|Wiadomość oryginalna|Forwarded message|Wiadomość przekazana dalej|Przekazana wiadomość)\s*-{2,}\s*$/iu,
  /^\s*_{10,}\s*$/,
  // German and French clients answer Polish firms too
  /^\s*Am\b.{0,200}\bschrieb.{0,100}:\s*$/i,
  /^\s*Le\b.{0,200}\ba écrit\s*:\s*$/iu,
];
/** Outlook's header block: "From: …" / "Od: …" followed within a few lines by Sent/Wysłano/Date/Data. */
const OUTLOOK_FROM = /^\s*\**(From|Od|Von|De)\**\s*:\s*\S/iu;
const OUTLOOK_NEXT = /^\s*\**(Sent|Wysłano|Date|Data|Gesendet|Envoyé|To|Do)\**\s*:/iu;
/** "-- " is the RFC 3676 signature separator; many clients drop the trailing space. */
const SIGNATURE = /^-- ?$/;

export function quoteStrippedText(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let cut = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (SIGNATURE.test(line) || QUOTE_HEADERS.some((re) => re.test(line))) {
      cut = i;
      break;
    }
    if (OUTLOOK_FROM.test(line) && lines.slice(i + 1, i + 5).some((l) => OUTLOOK_NEXT.test(l))) {
      cut = i;
      break;
    }
    // A block of ">" lines that runs to the end (or to the signature) is the quoted history.
    if (/^\s*>/.test(line) && lines.slice(i).every((l) => /^\s*(>|$)/.test(l) || SIGNATURE.test(l))) {
      cut = i;
      break;
    }
  }
  const kept = lines.slice(0, cut).join('\n').replace(/\s+$/, '');
  return kept.trim() === '' ? text.replace(/\s+$/, '') : kept;
}
