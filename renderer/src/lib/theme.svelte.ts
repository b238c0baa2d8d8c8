export type ThemeMode = 'system' | 'light' | 'dark';
const KEY = 'footfall-theme';

/** Light, dark, or whatever the system says; applied as `data-theme` on <html>. */
class Theme {
  mode = $state<ThemeMode>('system');
  #systemDark = $state(false);
  resolved = $derived<'light' | 'dark'>(this.mode === 'system' ? (this.#systemDark ? 'dark' : 'light') : this.mode);

  constructor() {
    const stored = localStorage.getItem(KEY);
    if (stored === 'light' || stored === 'dark' || stored === 'system') this.mode = stored;
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    this.#systemDark = mq.matches;
    mq.addEventListener('change', (e) => {
      this.#systemDark = e.matches;
      this.apply();
    });
    this.apply();
  }

  set(mode: ThemeMode): void {
    this.mode = mode;
    localStorage.setItem(KEY, mode);
    this.apply();
  }

  private apply(): void {
    document.documentElement.dataset.theme = this.resolved;
  }
}

export const theme = new Theme();
