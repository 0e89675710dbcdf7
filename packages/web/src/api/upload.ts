// Multipart upload through XMLHttpRequest: fetch() cannot report upload progress.
import { errorFromResponse, requestHeaders, ApiError } from './client.ts';

/** Posts `form` to `path`, reporting progress (0..1) as bytes leave; resolves with the JSON reply. */
export function uploadMultipart<T>(path: string, form: FormData, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.withCredentials = true;
    // The browser sets the multipart Content-Type with its boundary itself.
    for (const [name, value] of Object.entries(requestHeaders('POST', path))) xhr.setRequestHeader(name, value);
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        try {
          resolve(JSON.parse(xhr.responseText) as T);
        } catch {
          reject(new ApiError(xhr.status, 'UNEXPECTED', 'invalid JSON'));
        }
      } else {
        reject(errorFromResponse(xhr.status, xhr.responseText));
      }
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, 'NETWORK', 'network error')));
    xhr.addEventListener('abort', () => reject(new ApiError(0, 'NETWORK', 'aborted')));
    xhr.send(form);
  });
}
