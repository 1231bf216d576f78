const KEY = 'triage.apiKey';

/**
 * The API key lives in sessionStorage: gone when the tab closes, never sent
 * anywhere but the Authorization header of this origin's API calls.
 */
export function loadApiKey(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function saveApiKey(key: string): void {
  sessionStorage.setItem(KEY, key);
}

export function forgetApiKey(): void {
  sessionStorage.removeItem(KEY);
}
