/**
 * What a user pastes into a test site. The collector URL is absolute http:// (a loopback
 * address is trusted by browsers, so an https test site may load it).
 */

const js = (s: string): string => JSON.stringify(s).replace(/</g, '\\u003c');
const attr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** Footfall's own tracker: one tag, configured by attributes. */
export function footfallSnippet(collectorUrl: string, sourceId: string): string {
  const origin = new URL(collectorUrl).origin;
  return `<script defer src="${attr(`${origin}/tracker.js`)}" data-source="${attr(sourceId)}"></script>`;
}

/**
 * Tracardi's loader snippet, pointed at Footfall: the `options` object Tracardi documents
 * and a loader that queues `window.tracker.track(...)` calls, offers
 * `window.onTracardiReady.bind(fn)`, loads `<url.script>/liliput.min.js` and replays the
 * queue into `window.tracardi.default` once it is ready. A page that already carries
 * Tracardi's own loader only needs its two URLs changed to these.
 */
export function tracardiSnippet(collectorUrl: string, sourceId: string): string {
  const origin = new URL(collectorUrl).origin;
  return `<script>
  const options = {
    tracker: {
      url: { script: ${js(`${origin}/tracker`)}, api: ${js(origin)} },
      source: { id: ${js(sourceId)} }
    }
  };
  (function (w, d) {
    var queue = [], ready = [];
    w.tracker = w.tracker || {};
    w.response = w.response || { context: {} };
    w.onTracardiReady = {
      bind: function (f) { if (typeof f === "function") ready.push(f); },
      call: function (p) { ready.forEach(function (f) { f(p); }); }
    };
    w.tracker.track = function () { queue.push([].slice.call(arguments)); return w.tracker; };
    var s = d.createElement("script");
    s.async = true;
    s.src = options.tracker.url.script + "/liliput.min.js";
    s.addEventListener("load", function () {
      var t = w.tracardi && w.tracardi.default;
      if (!t) return;
      w.tracker = t;
      while (queue.length) t.track.apply(t, queue.shift());
    });
    d.head.appendChild(s);
  })(window, document);
</script>`;
}

/** The one command that sends a first event. */
export function curlCommand(collectorUrl: string, sourceId: string): string {
  const origin = new URL(collectorUrl).origin;
  const body = JSON.stringify({
    source: { id: sourceId },
    session: { id: 'first-visit' },
    profile: null,
    events: [{ type: 'page-view', properties: { title: 'Hello Footfall' }, context: { page: { url: 'https://shop.test/' } } }],
  });
  return `curl -X POST ${origin}/track -H 'content-type: application/json' \\\n  -d '${body.replace(/'/g, "'\\''")}'`;
}
