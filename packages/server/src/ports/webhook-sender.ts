/** One webhook request: a JSON body POSTed to an endpoint. */
export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What came back: ok for a 2xx answer; otherwise the status (if any) and a short reason. */
export interface WebhookResponse {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
}

/** Sends webhook requests (the HTTP adapter refuses private targets, follows no redirect, bounds time and size). */
export interface WebhookSender {
  post(request: WebhookRequest): Promise<WebhookResponse>;
  /** Closes kept-alive connections. */
  close(): void;
}
