// The web lab's shell: navigation built from the page registry, hash routing (#/<page id>).
import { pages } from "./pages/index";
import { showStatus } from "./api";

const nav = document.getElementById("nav")!;
const main = document.getElementById("page")!;
let unmount: (() => void) | null = null;

for (const page of pages) {
  const a = document.createElement("a");
  a.href = `#/${page.id}`;
  a.textContent = page.title;
  a.dataset.page = page.id;
  nav.appendChild(a);
}

function route(): void {
  const id = location.hash.replace(/^#\/?/, "") || pages[0].id;
  const page = pages.find((p) => p.id === id) ?? pages[0];
  unmount?.();
  main.replaceChildren();
  showStatus("");
  for (const a of nav.querySelectorAll("a")) a.classList.toggle("active", a.dataset.page === page.id);
  document.title = `${page.title} · descent lab`;
  unmount = page.mount(main);
}

window.addEventListener("hashchange", route);
route();
