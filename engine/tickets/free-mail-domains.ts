/**
 * Mailbox providers whose domain says nothing about who the sender works for.
 * Two people writing from gmail.com are not one customer, so these domains
 * never become a `domain` identity (R7). Short on purpose: the common global
 * providers plus the Polish ones our first deployments see. A deployment can
 * pass its own list to the ticket service (`freeMailDomains`).
 */
export const FREE_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  // global
  'gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'yahoo.com', 'ymail.com',
  'icloud.com', 'me.com', 'mac.com', 'aol.com', 'proton.me', 'protonmail.com', 'pm.me', 'zoho.com', 'mail.com',
  'gmx.com', 'gmx.net', 'gmx.de', 'web.de', 't-online.de', 'yandex.com', 'yandex.ru', 'mail.ru', 'fastmail.com',
  'hotmail.co.uk', 'yahoo.co.uk', 'outlook.de', 'hey.com', 'tutanota.com',
  // Poland
  'wp.pl', 'o2.pl', 'onet.pl', 'op.pl', 'interia.pl', 'interia.eu', 'poczta.fm', 'tlen.pl', 'gazeta.pl', 'vp.pl',
  'buziaczek.pl', 'autograf.pl', 'onet.eu', 'go2.pl', 'spoko.pl',
]);
