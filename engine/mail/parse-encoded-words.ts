import { TextDecoder } from 'node:util';

/**
 * RFC 2047 encoded words (`=?iso-8859-2?Q?Zam=F3wienie?=`) in header values.
 * mailparser decodes the headers it understands (subject, addresses); this
 * decoder is for the plain header record we keep per message, so rules and
 * agents see `X-Something: Zamówienie`, not the wire form.
 *
 * Never throws: an unknown charset or a malformed word stays as written.
 */
const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;
/** Whitespace between two adjacent encoded words is not part of the text (RFC 2047 §6.2). */
const BETWEEN_WORDS = /(=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)/g;

export function parseEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  return value.replace(BETWEEN_WORDS, '$1').replace(ENCODED_WORD, (word, charset: string, encoding: string, text: string) => {
    // RFC 2231 allows a language suffix: =?utf-8*pl?Q?...?=
    const decoder = textDecoder(charset.split('*')[0] ?? charset);
    if (decoder === undefined) return word;
    const bytes = encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQ(text);
    return decoder.decode(bytes);
  });
}

/** A decoder for a MIME charset name, or undefined when Node does not know it. */
export function textDecoder(charset: string): TextDecoder | undefined {
  try {
    return new TextDecoder(charset.trim().toLowerCase());
  } catch {
    return undefined;
  }
}

function decodeQ(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    const hex = c === '=' ? text.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c === '_') bytes.push(0x20);
    else bytes.push(c.charCodeAt(0) & 0xff);
  }
  return Buffer.from(bytes);
}
