/**
 * The seeder's mix: who visits (agents, screens, languages, zones), from where (origins),
 * what they look at (pages) and do (actions), and when (the daily and weekly rhythm).
 */

export const AGENTS: Array<[weight: number, ua: string]> = [
  [30, 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'],
  [14, 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15'],
  [8, 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0'],
  [6, 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0'],
  [18, 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1'],
  [14, 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36'],
  [5, 'Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1'],
  [3, 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'],
  [2, 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)'],
  // The site's own end-to-end tests now and then.
  [2, 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36'],
];

export const ORIGINS: Array<[weight: number, referrer: string | null, query: string]> = [
  [34, null, ''],
  [22, 'www.google.com', ''],
  [5, 'duckduckgo.com', ''],
  [4, 'www.bing.com', ''],
  [6, 'news.ycombinator.com', ''],
  [5, 't.co', ''],
  [4, 'www.facebook.com', ''],
  [4, 'blog.example.org', ''],
  [6, null, '?utm_source=newsletter&utm_medium=email&utm_campaign=autumn-sale'],
  [5, 'www.google.com', '?utm_source=google&utm_medium=cpc&utm_campaign=brand'],
  [3, 'www.linkedin.com', '?utm_source=linkedin&utm_medium=social&utm_campaign=launch'],
  [2, null, '?utm_source=partner&utm_campaign=spring-promo'],
];

export const PRODUCTS = ['linen-shirt', 'wool-socks', 'rain-jacket', 'canvas-tote', 'leather-belt', 'cotton-hoodie', 'denim-jeans', 'silk-scarf', 'trail-shoes', 'sun-hat', 'knit-beanie', 'travel-mug'];
const POSTS = ['how-we-source-linen', 'care-guide', 'autumn-lookbook', 'sizing-explained', 'behind-the-seams', 'gift-ideas'];
export const PAGES: Array<[weight: number, path: string, title: string]> = [
  [20, '/', 'Home'],
  [10, '/products', 'All products'],
  ...PRODUCTS.map((p): [number, string, string] => [4, `/products/${p}`, p.replace('-', ' ')]),
  ...POSTS.map((p): [number, string, string] => [2, `/blog/${p}`, p.replaceAll('-', ' ')]),
  [3, '/pricing', 'Pricing'],
  [2, '/about', 'About us'],
  [4, '/cart', 'Cart'],
  [2, '/checkout', 'Checkout'],
  [1, '/contact', 'Contact'],
];

export const ACTIONS: Array<[weight: number, type: string]> = [
  [30, 'click'],
  [20, 'scroll'],
  [10, 'page-engagement'],
  [8, 'search'],
  [7, 'add-to-cart'],
  [4, 'video-play'],
  [4, 'form-submit'],
  [3, 'sign-up'],
  [2, 'purchase'],
  [1, 'newsletter-subscribe'],
];

export const SCREENS = [
  [1920, 1080],
  [1440, 900],
  [2560, 1440],
  [390, 844],
  [412, 915],
  [820, 1180],
] as const;
export const LANGS = ['en-US', 'en-GB', 'pl-PL', 'de-DE', 'fr-FR', 'es-ES', 'ja-JP'];
export const ZONES = ['Europe/Warsaw', 'Europe/London', 'America/New_York', 'America/Los_Angeles', 'Europe/Berlin', 'Asia/Tokyo'];

export function weighted<T extends readonly unknown[]>(rand: () => number, list: readonly T[]): T {
  let total = 0;
  for (const item of list) total += item[0] as number;
  let r = rand() * total;
  for (const item of list) {
    r -= item[0] as number;
    if (r <= 0) return item;
  }
  return list[list.length - 1]!;
}

/** Visit start times over the range, denser by day than by night and on weekdays. */
export function visitTime(rand: () => number, from: number, until: number): number {
  for (;;) {
    const t = Math.floor(from + rand() * (until - from));
    const d = new Date(t);
    const hour = d.getUTCHours();
    const dayWeight = [0.7, 1, 1, 1, 1, 0.95, 0.75][d.getUTCDay()]!;
    const hourWeight = hour < 6 ? 0.15 : hour < 9 ? 0.5 : hour < 18 ? 1 : hour < 22 ? 0.8 : 0.35;
    if (rand() < dayWeight * hourWeight) return t;
  }
}

