/**
 * The tracker snippet that "Copy tracker snippet" puts on the clipboard: Tracardi's `options`
 * object, which Footfall's tracker reads as Tracardi's own does (see CONTRACT.md), and the
 * script served by the collector. Absolute http:// URLs rather than Tracardi's `//host`
 * form: a loopback address is "potentially trustworthy" to browsers, so an https test site
 * can load it, while `//127.0.0.1` would turn into https:// there and fail.
 */
export function trackerSnippet(collectorUrl: string, sourceId: string): string {
  const origin = new URL(collectorUrl).origin;
  const js = (s: string) => JSON.stringify(s).replace(/</g, '\\u003c');
  return `<!-- Footfall tracker: paste into the <head> of every page of your test site -->
<script>
  const options = {
    tracker: {
      url: { script: ${js(`${origin}/tracker`)}, api: ${js(origin)} },
      source: { id: ${js(sourceId)} }
    }
  };
</script>
<script async src="${origin}/tracker/liliput.min.js"></script>
`;
}
