// A page of the web lab: one file under pages/ exporting a Page, listed once in pages/index.ts.
// mount() builds the page inside `root` and returns a function that stops its timers and streams
// when the user navigates away.
export interface Page {
  id: string; // the URL hash: #/<id>
  title: string; // the navigation label
  mount(root: HTMLElement): () => void;
}
