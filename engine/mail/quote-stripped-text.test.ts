import { describe, expect, it } from 'vitest';
import { quoteStrippedText } from './quote-stripped-text.js';

describe('quoteStrippedText', () => {
  it.each([
    ['Gmail English', 'Thanks, works now.\n\nOn Mon, 2 Mar 2026 at 10:00, Support <s@example.com> wrote:\n> old', 'Thanks, works now.'],
    ['Thunderbird Polish', 'Dziękuję.\n\nW dniu 10.03.2026 o 15:02, Serwis pisze:\n> stare', 'Dziękuję.'],
    ['Dnia … napisał(a)', 'OK.\nDnia 2026-03-10 15:02, Serwis napisał(a):\n> stare', 'OK.'],
    ['address line ending in napisał', 'Jasne.\nJan Kowalski <jan@klient.pl> napisał:\n> stare', 'Jasne.'],
    ['Outlook English', 'Serial: 123\n\nFrom: Support <s@example.com>\nSent: Wednesday, March 11, 2026 3:00 PM\nTo: Piotr\nSubject: x', 'Serial: 123'],
    ['Outlook Polish', 'Numer: 123\n\nOd: Serwis <s@example.com>\nWysłano: środa, 11 marca 2026 15:00\nDo: Piotr', 'Numer: 123'],
    ['Original Message separator', 'Nowe.\n-----Original Message-----\nFrom: x', 'Nowe.'],
    ['Oryginalna wiadomość separator', 'Nowe.\n-------- Oryginalna wiadomość --------\nOd: x', 'Nowe.'],
    ['signature separator', 'Treść.\n\n-- \nAnna Nowak\ntel. 600 100 200', 'Treść.'],
    ['trailing > block', 'Nowa treść.\n\n> stara\n> treść\n', 'Nowa treść.'],
    ['inline answers keep everything', '> pytanie 1\nodpowiedź 1\n> pytanie 2\nodpowiedź 2', '> pytanie 1\nodpowiedź 1\n> pytanie 2\nodpowiedź 2'],
    ['all quote keeps everything', 'On Mon, 2 Mar 2026 Anna <a@x> wrote:\n> x', 'On Mon, 2 Mar 2026 Anna <a@x> wrote:\n> x'],
    ['prose ending in "wrote:" without an address or date stays', 'Here is what the technician wrote:\nthe board is broken', 'Here is what the technician wrote:\nthe board is broken'],
    ['a line "From: me" in prose without Sent/Date below stays', 'Od: poniedziałku nie działa drukarka.\nProszę o pomoc.', 'Od: poniedziałku nie działa drukarka.\nProszę o pomoc.'],
    ['CRLF', 'A\r\n\r\n-- \r\nsig', 'A'],
  ])('%s', (_name, text, expected) => {
    expect(quoteStrippedText(text)).toBe(expected);
  });
});
