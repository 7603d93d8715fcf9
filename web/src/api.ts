// Talking to `descent serve`. The access token arrives in the page URL (?token=...), printed by
// the server; it is kept in sessionStorage (so reloads and hash navigation keep it) and sent as
// "Authorization: Bearer" on every request. EventSource cannot set headers, so streams carry it
// as a query parameter.

const TOKEN_KEY = "descent-token";

function token(): string {
  const fromUrl = new URLSearchParams(location.search).get("token");
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? "";
}

async function answer<T>(res: Response): Promise<T> {
  const body = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
  if (!res.ok) throw new Error((body as { error?: string }).error ?? `HTTP ${res.status}`);
  return body as T;
}

export async function get<T>(path: string): Promise<T> {
  return answer<T>(await fetch(path, { headers: { Authorization: `Bearer ${token()}` } }));
}

export async function post<T>(path: string, body: unknown): Promise<T> {
  return answer<T>(
    await fetch(path, {
      method: "POST",
      headers: { Authorization: `Bearer ${token()}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }),
  );
}

// Server-sent events: onEvent for every unnamed data event, named[name] for events "name"
// ("end" and "error" are taken); onEnd once when the stream ends or fails. Returns a function
// that closes the stream.
export function stream<T>(
  path: string,
  params: Record<string, string>,
  onEvent: (data: T) => void,
  onEnd: (error?: string) => void,
  named: Record<string, (data: unknown) => void> = {},
): () => void {
  const query = new URLSearchParams({ ...params, token: token() });
  const source = new EventSource(`${path}?${query}`);
  let open = true;
  const close = (error?: string) => {
    if (!open) return;
    open = false;
    source.close();
    onEnd(error);
  };
  source.onmessage = (e) => onEvent(JSON.parse(e.data) as T);
  for (const [name, handler] of Object.entries(named))
    source.addEventListener(name, (e) => handler(JSON.parse((e as MessageEvent).data)));
  source.addEventListener("end", () => close());
  source.addEventListener("error", (e) => {
    const data = (e as MessageEvent).data;
    close(data ? (JSON.parse(data) as { error: string }).error : undefined);
  });
  return () => close();
}

// One line of status in the header: errors of the API are shown here, not thrown at the user.
export function showStatus(text: string, isError = false): void {
  const el = document.getElementById("status");
  if (!el) return;
  el.textContent = text;
  el.className = isError ? "error" : "";
}

export function reportError(e: unknown): void {
  showStatus(e instanceof Error ? e.message : String(e), true);
}
