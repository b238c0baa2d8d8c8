/** Types of demo/server.mjs for the TypeScript end-to-end tests. */
export interface DemoSite {
  /** `http://localhost:PORT/`: another origin (and site) than the collector. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export function startDemoSite(opts: { collector: string; source: string; port?: number; host?: string; siteHost?: string }): Promise<DemoSite>;
