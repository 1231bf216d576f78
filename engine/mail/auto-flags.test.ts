import { describe, expect, it } from 'vitest';
import { detectAutoFlags, type AutoFlags } from './auto-flags.js';

const person = { isAutoReply: false, isBounce: false, isBulk: false, reason: null };
const flags = (headers: Record<string, string | string[]>, from = 'anna@klient.pl', subject = 'Pytanie o fakturę'): AutoFlags => detectAutoFlags({ headers, from, subject });

describe('detectAutoFlags (R3 machine-mail signals)', () => {
  it.each<[string, Record<string, string | string[]>, string | undefined, string | undefined, AutoFlags]>([
    ['a person', { 'content-type': 'text/plain' }, undefined, undefined, person],
    ['Auto-Submitted: no is a person', { 'auto-submitted': 'no' }, undefined, undefined, person],
    ['Auto-Submitted: auto-replied', { 'auto-submitted': 'auto-replied' }, undefined, undefined, { ...person, isAutoReply: true, reason: 'Auto-Submitted: auto-replied' }],
    ['Auto-Submitted: auto-generated with a comment', { 'auto-submitted': 'auto-generated (vacation)' }, undefined, undefined, { ...person, isAutoReply: true, reason: 'Auto-Submitted: auto-generated (vacation)' }],
    ['X-Auto-Response-Suppress', { 'x-auto-response-suppress': 'All' }, undefined, undefined, { ...person, isAutoReply: true, reason: 'X-Auto-Response-Suppress: All' }],
    ['X-Autoreply', { 'x-autoreply': 'yes' }, undefined, undefined, { ...person, isAutoReply: true, reason: 'X-Autoreply: yes' }],
    ['X-Autorespond', { 'x-autorespond': 'Out of office' }, undefined, undefined, { ...person, isAutoReply: true, reason: 'X-Autorespond: Out of office' }],
    ['Precedence: auto_reply', { precedence: 'auto_reply' }, undefined, undefined, { ...person, isAutoReply: true, reason: 'Precedence: auto_reply' }],
    ['Precedence: bulk', { precedence: 'bulk' }, undefined, undefined, { ...person, isBulk: true, reason: 'Precedence: bulk' }],
    ['Precedence: junk', { precedence: 'Junk' }, undefined, undefined, { ...person, isBulk: true, reason: 'Precedence: junk' }],
    ['Precedence: list', { precedence: 'list' }, undefined, undefined, { ...person, isBulk: true, reason: 'Precedence: list' }],
    ['List-Id', { 'list-id': '<news.example.com>' }, undefined, undefined, { ...person, isBulk: true, reason: 'List-Id: <news.example.com>' }],
    ['List-Unsubscribe', { 'list-unsubscribe': '<mailto:u@example.com>' }, undefined, undefined, { ...person, isBulk: true, reason: 'List-Unsubscribe' }],
    ['our own X-Loop', { 'x-loop': 'triage' }, undefined, undefined, { ...person, isAutoReply: true, reason: 'X-Loop: triage' }],
    ['our X-Loop among others', { 'x-loop': ['otrs', 'Triage'] }, undefined, undefined, { ...person, isAutoReply: true, reason: 'X-Loop: triage' }],
    ["someone else's X-Loop", { 'x-loop': 'otrs' }, undefined, undefined, person],
    ['MAILER-DAEMON sender', {}, 'MAILER-DAEMON@mx.example.com', undefined, { ...person, isBounce: true, reason: 'From: MAILER-DAEMON@mx.example.com' }],
    ['postmaster sender', {}, 'postmaster@klient.pl', undefined, { ...person, isBounce: true, reason: 'From: postmaster@klient.pl' }],
    ['null return path alone', { 'return-path': '<>' }, undefined, undefined, { ...person, isBounce: true, reason: 'Return-Path: <> (null sender)' }],
    ['null return path of an auto-reply', { 'return-path': '<>', 'auto-submitted': 'auto-replied' }, undefined, undefined, { ...person, isAutoReply: true, reason: 'Auto-Submitted: auto-replied' }],
    [
      'DSN content type',
      { 'content-type': 'multipart/report; report-type="delivery-status"; boundary="x"' },
      undefined,
      undefined,
      { ...person, isBounce: true, reason: 'Content-Type: multipart/report; report-type=delivery-status' },
    ],
    ['a read receipt (MDN) is no bounce', { 'content-type': 'multipart/report; report-type=disposition-notification' }, undefined, undefined, person],
    ['subject: Out of Office', {}, undefined, 'Out of Office: Faktura 3/2026', { ...person, isAutoReply: true, reason: 'Subject: Out of Office: Faktura 3/2026' }],
    ['subject: Automatic reply', {}, undefined, 'Automatic reply: question', { ...person, isAutoReply: true, reason: 'Subject: Automatic reply: question' }],
    ['subject: Automatyczna odpowiedź', {}, undefined, 'Automatyczna odpowiedź: Reklamacja', { ...person, isAutoReply: true, reason: 'Subject: Automatyczna odpowiedź: Reklamacja' }],
    ['subject: Nieobecność', {}, undefined, 'Nieobecność do 16.03', { ...person, isAutoReply: true, reason: 'Subject: Nieobecność do 16.03' }],
    ['subject: [auto] Poza biurem', {}, undefined, '[Auto] Poza biurem', { ...person, isAutoReply: true, reason: 'Subject: [Auto] Poza biurem' }],
    ['a person asking about out of office', {}, undefined, 'Re: question about your out of office hours', person],
    ['a person writing "nieobecności" mid-subject', {}, undefined, 'Zgłoszenie nieobecności pracownika', person],
  ])('%s', (_name, headers, from, subject, expected) => {
    expect(flags(headers, from, subject)).toEqual(expected);
  });

  it('the strongest signal names the reason; every flag is still set', () => {
    const all = flags({ 'x-loop': 'triage', 'auto-submitted': 'auto-replied', 'list-id': '<l>', 'content-type': 'multipart/report; report-type=delivery-status' }, 'MAILER-DAEMON@x.pl');
    expect(all).toEqual({ isAutoReply: true, isBounce: true, isBulk: true, reason: 'Content-Type: multipart/report; report-type=delivery-status' });
  });

  it('the loop marker follows the configuration', () => {
    expect(detectAutoFlags({ headers: { 'x-loop': 'helpdesk' }, from: null, subject: '' }, { loopMarker: 'helpdesk' }).reason).toBe('X-Loop: helpdesk');
    expect(detectAutoFlags({ headers: { 'x-loop': 'triage' }, from: null, subject: '' }, { loopMarker: 'helpdesk' })).toEqual(person);
  });
});
