// Saves a Blob or a data URL as a file through a temporary <a download> link.

export function download(filename: string, content: Blob | string): void {
  const href = typeof content === 'string' ? content : URL.createObjectURL(content);
  const link = document.createElement('a');
  link.href = href;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has taken the URL by the next task; revoking at once can cancel the download.
  if (typeof content !== 'string') setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
