/** The current time, ticking once a second: what live durations are measured against. */
class Ticker {
  now = $state(Date.now());
  constructor() {
    setInterval(() => {
      this.now = Date.now();
    }, 1000);
  }
}

export const ticker = new Ticker();
