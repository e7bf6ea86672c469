// Types of find-browser.cjs, for harness.ts and the tests.

export interface Candidates { names: string[]; paths: string[] }
export interface FoundBrowser { path: string; source: 'PUPPETEER_EXECUTABLE_PATH' | 'system' | 'puppeteer' }
type Env = Record<string, string | undefined>;

export function systemCandidates(platform?: string, env?: Env): Candidates;
export function findSystemBrowser(options?: { env?: Env; candidates?: Candidates }): string | undefined;
export function findBrowser(options?: { env?: Env; candidates?: Candidates; puppeteerPath?: () => string | undefined }): FoundBrowser;
