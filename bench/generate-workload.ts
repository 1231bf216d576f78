/**
 * A seeded, deterministic service-desk workload: a rule set written the way
 * process owners write them (keyword matches on subject and body, customer
 * segment and ARR share, SLA progress, sender domain, tags, with all/any
 * nesting) and tickets with realistic Polish and English text. Used by the
 * evaluation benchmark and reusable by tests; the same seed always gives the
 * same rules and tickets, so runs are comparable across machines and commits.
 */
import type { Facts } from '../rules/lib/rule-types.js';

/** A small, fast PRNG (mulberry32): deterministic across platforms, unlike Math.random. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Integer in [min, max]. */
  between(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** k distinct items (fewer if the list is shorter). */
  sample<T>(items: readonly T[], k: number): T[];
}

export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    between: (min, max) => min + int(max - min + 1),
    chance: (p) => next() < p,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[int(items.length)] as T;
    },
    sample<T>(items: readonly T[], k: number): T[] {
      const copy = [...items];
      const out: T[] = [];
      while (out.length < k && copy.length > 0) out.push(copy.splice(int(copy.length), 1)[0] as T);
      return out;
    },
  };
}

/** A rule as the benchmark needs it: an id and a json-rules-engine condition tree with plain dotted paths. */
export interface WorkloadRule {
  id: string;
  when: unknown;
}

export interface Workload {
  rules: WorkloadRule[];
  tickets: Facts[];
  /** Named lists for inList / notInList, as a rule file's `lists:` would define them. */
  lists: ReadonlyMap<string, readonly (string | number)[]>;
}

export interface WorkloadOptions {
  seed?: number;
  rules?: number;
  tickets?: number;
}

// ------------------------------------------------------------ vocabulary

const SUBJECTS_PL = [
  'Faktura nr FV/{n} – prośba o korektę',
  'Korekta faktury {n}',
  'Reklamacja zamówienia {n}',
  'Re: Zamówienie {n} nie dotarło',
  'AWARIA KRYTYCZNA – system płatności nie działa',
  'Awaria systemu logowania',
  'Zmiana danych adresowych firmy',
  'Prośba o zwrot środków za zamówienie {n}',
  'Pytanie o ofertę i cennik usług',
  'Odp: Opóźnienie dostawy {n}',
  'Uszkodzony towar – zgłoszenie gwarancyjne',
  'Nie mogę zalogować się do konta',
  'Pilne: błąd przy płatności kartą',
  'Duplikat faktury za {m}',
  'Wypowiedzenie umowy serwisowej',
  'Zapytanie ofertowe – {n} licencji',
  'Fw: Przelew nie został zaksięgowany',
];

const SUBJECTS_EN = [
  'Invoice #{n} overdue',
  'Request for refund, order {n}',
  'Critical outage: checkout is down',
  'Cannot log in to the portal',
  'Re: Delivery {n} delayed',
  'Complaint about damaged goods',
  'Change of billing address',
  'Question about pricing for {n} seats',
  'Fw: Payment failed with error 500',
  'Warranty repair request',
  'Contract renewal for {m}',
  'Password reset does not work',
  'Urgent: data export broken',
];

const SENTENCES_PL = [
  'Dzień dobry, w załączniku przesyłam fakturę do korekty.',
  'Proszę o wystawienie faktury korygującej, kwota się nie zgadza.',
  'Od rana mamy awarię krytyczną systemu płatności, klienci nie mogą zapłacić.',
  'Zamówienie nie dotarło mimo upływu terminu dostawy.',
  'Towar przyszedł uszkodzony, proszę o naprawę w ramach gwarancji.',
  'Chcielibyśmy zmienić adres siedziby w danych firmy.',
  'Nie mogę się zalogować, hasło nie działa od wczoraj.',
  'Proszę o zwrot pieniędzy na rachunek, z którego wykonano przelew.',
  'Czy mogą Państwo przesłać aktualny cennik i ofertę?',
  'Sprawa jest pilna, prosimy o szybki kontakt.',
  'Dziękuję i pozdrawiam serdecznie.',
  'Numer klienta znajduje się w stopce wiadomości.',
  'Przelew został wykonany tydzień temu, a płatność nadal jest nieuregulowana.',
  'Zgłaszam reklamację produktu zakupionego w sklepie internetowym.',
  'Umowa serwisowa kończy się z końcem miesiąca.',
  'W systemie pojawia się błąd przy generowaniu raportu.',
];

const SENTENCES_EN = [
  'Hello, please find the invoice attached for correction.',
  'We have a critical outage, nobody can check out since this morning.',
  'The order has not arrived although the delivery date has passed.',
  'The goods arrived damaged, we request a warranty repair.',
  'Please update our billing address in your records.',
  'I cannot log in, the password reset link does not work.',
  'Could you refund the payment to the original card?',
  'Could you send your current pricing and an offer for 50 seats?',
  'This is urgent, please call me back as soon as possible.',
  'Thanks and best regards.',
  'Our account number is in the signature below.',
  'The export fails with an internal server error.',
  'We would like to renew the contract for another year.',
];

const DOMAINS = ['acme.pl', 'sub.acme.pl', 'biuro.kowalski.com.pl', 'gmail.com', 'wp.pl', 'onet.pl', 'globex.com', 'mail.globex.com', 'initech.de', 'zabka.pl', 'example.org', 'bank.pl'];
const FIRST_NAMES = ['Jan', 'Anna', 'Piotr', 'Katarzyna', 'Łukasz', 'Małgorzata', 'John', 'Mary', 'Zoë', 'Paweł'];
const LAST_NAMES = ['Kowalski', 'Nowak', 'Wiśniewska', 'Wójcik', 'Smith', 'Brown', 'Żak', 'Lewandowski'];
const COMPANIES = ['ACME Sp. z o.o.', 'Globex', 'Initech GmbH', 'Żabka Polska', 'Kowalski i Wspólnicy', 'Bank Polski SA', 'Example Org'];
const SEGMENTS = ['enterprise', 'standard', 'smb', 'vip', 'public'];
const CHANNELS = ['email', 'form', 'phone', 'chat'];
const MAILBOXES = ['office@firma.pl', 'reklamacje@firma.pl', 'serwis@firma.pl', 'projekty@firma.pl', 'info@firma.pl', 'faktury@firma.pl'];
const TAGS = ['vip', 'phone', 'callback', 'marketplace', 'returning', 'vip-support', 'invoice', 'Faktura', 'PILNE'];
const LANGUAGES = ['pl', 'en'];
const PRIORITIES = ['P1', 'P2', 'P3', 'P4'];

/** Keyword sets as a rule author would write them: stems for inflected Polish words, plain English words. */
const KEYWORD_SETS: readonly (readonly string[])[] = [
  ['faktur*', 'invoice*', 'korekt*'],
  ['reklamacj*', 'complaint', 'uszkodzon*', 'damaged'],
  ['zwrot*', 'refund'],
  ['awari*', 'outage', 'down'],
  ['zaloguj*', 'zalogowa*', 'login', 'log', 'hasł*', 'password'],
  ['dostaw*', 'delivery', 'delayed', 'opóźnieni*'],
  ['cennik*', 'ofert*', 'pricing', 'offer'],
  ['pilne', 'pilnie', 'urgent', 'asap'],
  ['umow*', 'contract', 'wypowiedzeni*'],
  ['adres*', 'address'],
  ['płatnoś*', 'przelew*', 'payment'],
  ['gwarancj*', 'warranty', 'napraw*', 'repair'],
  ['błąd', 'błędu', 'error'],
];

const PHRASE_SETS: readonly (readonly string[])[] = [
  ['awaria krytyczna', 'awari* krytyczn*', 'critical outage'],
  ['nie działa', 'does not work'],
  ['zmiana danych', 'zmienić adres', 'billing address'],
  ['faktur* korygując*', 'faktury do korekty'],
  ['nie dotarło', 'has not arrived'],
];

const NOT_KEYWORDS: readonly (readonly string[])[] = [['spam', 'newsletter', 'unsubscribe'], ['test'], ['dziękuję', 'thanks']];

function fill(template: string, rng: Rng): string {
  return template.replace('{n}', String(rng.between(1000, 99999))).replace('{m}', rng.pick(['styczeń', 'luty', 'March', 'April', '2024', 'Q3']));
}

function isoAt(ms: number): string {
  return new Date(ms).toISOString();
}

/** A ticket with its message, customer and SLA facts. */
export function generateTicket(rng: Rng, index: number, nowMs: number): Facts {
  const polish = rng.chance(0.65);
  const subject = fill(rng.pick(polish ? SUBJECTS_PL : SUBJECTS_EN), rng);
  const sentences = polish ? SENTENCES_PL : SENTENCES_EN;
  const body = Array.from({ length: rng.between(2, 7) }, () => rng.pick(rng.chance(0.85) ? sentences : polish ? SENTENCES_EN : SENTENCES_PL)).join(' ');
  const domain = rng.pick(DOMAINS);
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  const local = `${first}.${last}`.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '').replace(/ł/g, 'l');
  const from = rng.chance(0.6) ? `${first} ${last} <${local}@${domain}>` : `${local}@${domain}`;
  const createdMs = nowMs - rng.int(10 * 86_400_000);
  const hasCustomer = rng.chance(0.8);
  const priority = rng.chance(0.3) ? rng.pick(PRIORITIES) : undefined;
  const ticket: Record<string, unknown> = {
    id: `t-${index}`,
    number: `T-${String(index).padStart(6, '0')}`,
    subject,
    channel: rng.pick(CHANNELS),
    mailbox: rng.pick(MAILBOXES),
    status: 'new',
    language: polish ? 'pl' : rng.pick(LANGUAGES),
    tags: rng.sample(TAGS, rng.between(0, 3)),
    createdAt: isoAt(createdMs),
  };
  if (priority !== undefined) ticket.priority = priority;
  const message: Record<string, unknown> = {
    from,
    to: ticket.mailbox,
    subject,
    text: body,
    attachments: Array.from({ length: rng.int(3) }, (_, i) => ({ name: `zalacznik-${i}.pdf`, size: rng.between(1_000, 5_000_000) })),
    receivedAt: isoAt(createdMs),
  };
  const customer = hasCustomer
    ? {
        id: `c-${rng.int(500)}`,
        name: rng.pick(COMPANIES),
        segment: rng.pick(SEGMENTS),
        arrShare: Math.round(rng.next() * 0.3 * 1000) / 1000,
        employees: rng.between(1, 5000),
        contract: { sla: rng.pick(['gold', 'silver', 'none']), active: rng.chance(0.6) },
        ...(rng.chance(0.5) ? { accountManager: rng.pick(FIRST_NAMES) } : {}),
      }
    : undefined;
  const sla = rng.chance(0.7)
    ? { policy: priority ?? 'P3', percentElapsed: rng.int(130), breached: rng.chance(0.1), paused: rng.chance(0.15) }
    : undefined;
  return { ticket, message, customer, sla, now: isoAt(nowMs) };
}

type Leaf = { fact: string; path?: string; operator: string; value: unknown };

/** One condition of the kinds real rule sets use, with realistic values. */
function generateLeaf(rng: Rng): Leaf {
  const kind = rng.int(20);
  switch (kind) {
    case 0:
    case 1:
    case 2:
      return { fact: 'ticket', path: 'subject', operator: 'containsAnyWord', value: [...rng.pick(KEYWORD_SETS)] };
    case 3:
    case 4:
      return { fact: 'message', path: 'text', operator: 'containsAnyWord', value: [...rng.pick(KEYWORD_SETS)] };
    case 5:
      return { fact: 'message', path: 'text', operator: 'containsAnyPhrase', value: rng.sample(rng.pick(PHRASE_SETS), 2) };
    case 6:
      return { fact: 'customer', path: 'arrShare', operator: rng.pick(['greaterThan', 'greaterThanInclusive']), value: rng.pick([0.05, 0.1, 0.15, 0.2]) };
    case 7:
      return { fact: 'sla', path: 'percentElapsed', operator: rng.pick(['greaterThanInclusive', 'lessThan']), value: rng.pick([50, 75, 80, 100]) };
    case 8:
      return { fact: 'customer', path: 'segment', operator: 'in', value: rng.sample(SEGMENTS, rng.between(1, 3)) };
    case 9:
      return { fact: 'ticket', path: 'channel', operator: rng.pick(['equal', 'notEqual']), value: rng.pick(CHANNELS) };
    case 10:
      return { fact: 'customer', path: 'segment', operator: 'notEqual', value: rng.pick(SEGMENTS) };
    case 11:
      return { fact: 'message', path: 'from', operator: rng.pick(['domainIn', 'domainNotIn']), value: rng.sample(['acme.pl', 'globex.com', 'kowalski.com.pl', 'zabka.pl', 'bank.pl'], rng.between(1, 3)) };
    case 12:
      return { fact: 'ticket', path: 'tags', operator: rng.pick(['contains', 'doesNotContain']), value: rng.pick(['vip', 'phone', 'callback', 'returning']) };
    case 13:
      return { fact: 'customer', path: 'name', operator: 'inList', value: 'strategic-customers' };
    case 14:
      return { fact: 'ticket', path: 'subject', operator: 'matchesRegex', value: rng.chance(0.5) ? { pattern: '^(?:re|odp|fw):', flags: 'i' } : '\\b\\d{4,5}\\b' };
    case 15:
      return { fact: 'customer', path: 'accountManager', operator: 'exists', value: rng.chance(0.8) };
    case 16:
      return { fact: 'message', path: 'text', operator: 'containsAllWords', value: rng.sample(rng.pick(KEYWORD_SETS), 2) };
    case 17:
      return { fact: 'ticket', path: 'mailbox', operator: 'equal', value: rng.pick(MAILBOXES) };
    case 18:
      return { fact: 'ticket', path: 'subject', operator: 'notContainsAnyWord', value: [...rng.pick(NOT_KEYWORDS)] };
    default:
      return rng.chance(0.5)
        ? { fact: 'ticket', path: 'tags', operator: 'containsAny', value: rng.sample(['VIP', 'vip-support', 'faktura', 'pilne'], 2) }
        : { fact: 'ticket', path: 'createdAt', operator: rng.pick(['olderThan', 'newerThan']), value: rng.pick(['30m', '4h', '2d', '1w']) };
  }
}

/** A rule: 3–5 conditions under all (sometimes any), with an occasional nested any and not. */
export function generateRule(rng: Rng, index: number): WorkloadRule {
  const count = rng.between(3, 5);
  // The first condition is the category signal (keywords), as in real rule sets.
  const leaves: unknown[] = [{ fact: 'ticket', path: 'subject', operator: 'containsAnyWord', value: [...rng.pick(KEYWORD_SETS)] }];
  while (leaves.length < count) leaves.push(generateLeaf(rng));
  const children: unknown[] = [];
  for (let i = 0; i < leaves.length; i++) {
    if (i > 0 && i + 1 < leaves.length && rng.chance(0.35)) {
      children.push({ any: [leaves[i], leaves[i + 1]] });
      i++;
    } else if (i > 0 && rng.chance(0.1)) {
      children.push({ not: leaves[i] });
    } else children.push(leaves[i]);
  }
  if (rng.chance(0.15)) {
    // An "any" rule: the keyword signal OR a combination of the rest.
    const [head, ...rest] = children;
    return { id: `rule-${String(index).padStart(2, '0')}`, when: { any: [head, { all: rest }] } };
  }
  return { id: `rule-${String(index).padStart(2, '0')}`, when: { all: children } };
}

export const WORKLOAD_NOW = Date.UTC(2025, 2, 10, 9, 30, 0);

export function generateWorkload(options: WorkloadOptions = {}): Workload {
  const seed = options.seed ?? 20250310;
  const ruleRng = createRng(seed);
  const ticketRng = createRng(seed ^ 0x5bd1e995);
  const rules = Array.from({ length: options.rules ?? 50 }, (_, i) => generateRule(ruleRng, i + 1));
  const tickets = Array.from({ length: options.tickets ?? 10_000 }, (_, i) => generateTicket(ticketRng, i + 1, WORKLOAD_NOW + i * 60_000));
  const lists = new Map<string, readonly (string | number)[]>([
    ['strategic-customers', ['acme sp. z o.o.', 'ŻABKA POLSKA', 'Bank Polski SA']],
  ]);
  return { rules, tickets, lists };
}

/**
 * The same condition tree with paths written for json-rules-engine's default
 * JSONPath resolver (`from.domain` → `$.from.domain`), for the baseline.
 */
export function toJsonPathCondition(condition: unknown): unknown {
  if (Array.isArray(condition)) return condition.map(toJsonPathCondition);
  if (condition === null || typeof condition !== 'object') return condition;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(condition)) {
    if (k === 'path' && typeof v === 'string') out[k] = v.startsWith('$') ? v : `$.${v}`;
    else if (k === 'all' || k === 'any' || k === 'not' || k === 'value') out[k] = toJsonPathCondition(v);
    else out[k] = v;
  }
  return out;
}
