// The demo pages' own script (deferred, after Footfall's tracker tag): buttons with
// data-track send that event; the footer shows what Footfall answered.
(() => {
  const status = document.getElementById('footfall-status');
  const show = (context) => {
    if (!status) return;
    if (context?.session) {
      status.className = 'status ok';
      status.innerHTML = `Sent to Footfall · profile <b></b> · visit <b></b>`;
      const [p, s] = status.querySelectorAll('b');
      p.textContent = context.profile.id;
      s.textContent = context.session.id;
    } else {
      status.className = 'status bad';
      status.textContent = 'Footfall did not answer: is it running? (npm run demo starts it)';
    }
  };
  if (window.onTracardiReady?.bind) window.onTracardiReady.bind(({ context }) => show(context));
  else show(null);

  for (const button of document.querySelectorAll('[data-track]')) {
    button.addEventListener('click', async () => {
      const answer = await window.tracker?.track(button.dataset.track, JSON.parse(button.dataset.props ?? '{}'));
      if (answer?.ok) {
        button.classList.add('done');
        button.textContent = button.dataset.done ?? 'Sent ✓';
      }
    });
  }
})();
