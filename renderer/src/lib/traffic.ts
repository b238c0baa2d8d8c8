/**
 * Whether a session or event is shown: a person's always, a bot's and debug traffic only
 * with "Include bots & debug". The one place the dashboard decides it for what it filters
 * itself (the Live view's stream); lists and charts ask the API (filters.lists,
 * filters.stats). The traffic classes to come (person / automation / bot / debug) widen it.
 */
export const shown = (m: { debug: boolean; bot: boolean }, all: boolean): boolean => all || (!m.debug && !m.bot);
