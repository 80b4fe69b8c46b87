// The search box in the header of every page, with Pagefind's index of the page's language (its own bundle under
// pagefind/, on this site). Every page imports this module when the box is first focused, and nothing of the
// search loads before; the search page imports it at once, to show the results for ?q=. Results appear as the
// reader types, with their count announced; Arrow Down (or Tab) goes from the box to them, the arrows move between
// them, Escape closes them. Without JavaScript the box submits to the search page, which lists every item.

const box = document.getElementById("q");
const form = box.form;
const page = document.getElementById("found"); // only on the search page: its results go there, a page at a time
const LIMIT = page ? Number(page.dataset.pageSize) || 50 : 8;
let pagefind = null;
let strings = null;
let loading = null;
let wording = null;
let asked = 0; // the latest query, so that an older answer arriving late is dropped

const style = document.createElement("style");
style.textContent = `
.site-header { position: relative; }
.search-panel { position: absolute; z-index: 5; top: 100%; right: 1rem; left: 1rem; max-width: 34rem; margin-left: auto;
  max-height: 70vh; overflow: auto; padding: .25rem 1rem .75rem; background: var(--bg); color: var(--fg);
  border: 1px solid var(--line); border-radius: .5rem; box-shadow: 0 .5rem 1.5rem rgb(0 0 0 / .2); }
.search-panel [role=status] { margin: .5rem 0; color: var(--muted); font-size: .9rem; }
.search-panel ul, ol.found { list-style: none; margin: 0; padding: 0; }
.search-panel li, ol.found li { border-top: 1px solid var(--line); padding: .4rem 0; }
.search-panel a, ol.found a { display: inline-block; padding: .2rem 0; font-weight: 600; }
.search-kind { margin-left: .5rem; color: var(--muted); font-size: .85rem; font-weight: 400; }
.search-excerpt { margin: .1rem 0 0; font-size: .9rem; }
.search-excerpt mark { background: var(--accent-soft); color: inherit; font-weight: 600; }
.search-more { margin-top: .75rem; min-height: 2.5rem; padding: .3rem .9rem; font: inherit; color: var(--fg);
  background: var(--soft); border: 1px solid var(--muted); border-radius: .4rem; cursor: pointer; }
`;
document.head.append(style);

const panel = page || document.createElement("div");
if (!page) {
  panel.className = "search-panel";
  panel.hidden = true;
  panel.innerHTML = '<p role="status"></p><ul></ul>';
  form.after(panel);
}
const status = panel.querySelector("[role=status]");
const list = panel.querySelector("ul, ol");

// Pagefind and the words of this language, fetched once (however many keys are typed while they arrive); the words
// on their own, so that a failure to load Pagefind can still be told in them.
function load() {
  wording ||= fetch(new URL("strings.json", form.action))
    .then((r) => r.json())
    .then((words) => {
      strings = words;
    });
  wording.catch(() => {
    wording = null; // to try again at the next key
  });
  loading ||= Promise.all([
    import(new URL("pagefind/pagefind.js", import.meta.url).href).then(async (found) => {
      await found.init();
      pagefind = found;
    }),
    wording,
  ]);
  loading.catch(() => {
    loading = null;
  });
  return loading;
}

function say(key, values) {
  return strings[key].replace(/\{(\w+)\}/g, (_, name) => values[name]);
}

// An excerpt as Pagefind gives it (text with <mark> around the words found), kept to its text and marks, without
// the empty brackets where the index left out a figure or a date, or a stop that opens it.
const tidy = (text, first) => text.replace(/\s*[(（]\s*[)）]/g, "").replace(first ? /^[\s.。]+/ : /^$/, "");
function excerpt(html) {
  const p = document.createElement("p");
  p.className = "search-excerpt";
  const parsed = document.createElement("template");
  parsed.innerHTML = html;
  for (const node of parsed.content.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      p.append(mark);
    } else {
      p.append(tidy(node.textContent, !p.childNodes.length));
    }
  }
  return p;
}

// A page named by what was typed comes first (its title starts with the query as a whole word), the shortest
// such title first: "Zoomlion" finds the company before its projects, whose names start with the company's.
// Pagefind's order is kept otherwise (its scores do not tell a page's name from the words of its title).
function named(query, results) {
  const q = query.toLowerCase();
  const score = (data) => {
    const title = (data.meta.title || "").toLowerCase();
    return title === q || title.startsWith(q + " ") ? title.length : Infinity;
  };
  return results.map((data, i) => [score(data), i, data]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((r) => r[2]);
}

function item(data) {
  const li = document.createElement("li");
  const a = document.createElement("a");
  a.href = data.url;
  a.textContent = data.meta.title || data.url;
  li.append(a);
  if (data.meta.kind) {
    const kind = document.createElement("span");
    kind.className = "search-kind";
    kind.textContent = data.meta.kind;
    li.append(kind);
  }
  li.append(excerpt(data.excerpt));
  return li;
}

async function run(query) {
  const mine = ++asked;
  query = query.trim();
  if (!query) {
    show(false);
    return;
  }
  try {
    await load();
  } catch (error) {
    await wording?.catch(() => {}); // the words may still be on their way when Pagefind has failed
    list.replaceChildren();
    more.hidden = true;
    status.textContent = strings ? strings.search_failed : "";
    show(true);
    throw error;
  }
  const search = await pagefind.debouncedSearch(query, {}, page ? 0 : 120);
  if (search === null || mine !== asked) return; // a later query is under way
  const found = named(query, await Promise.all(search.results.slice(0, LIMIT + 12).map((r) => r.data())));
  if (mine !== asked) return;
  const n = search.results.length;
  list.replaceChildren(...found.slice(0, LIMIT).map(item));
  rest = { results: search.results, next: 0, shown: new Set(found.slice(0, LIMIT).map((data) => data.url)), mine };
  offer();
  if (!page && n) {
    const li = document.createElement("li");
    const all = document.createElement("a");
    all.href = `${form.getAttribute("action")}?${new URLSearchParams({ q: query })}`;
    all.textContent = strings.search_all;
    li.append(all);
    list.append(li);
  }
  const plural = new Intl.PluralRules(document.documentElement.lang).select(n) === "one" ? "one" : "other";
  status.textContent = n ? say(`search_count_${plural}`, { n }) : say("search_none", { q: query });
  show(true);
}

// The search page shows LIMIT results at a time: a button after them brings the next ones (in Pagefind's order,
// less those shown), and moves the focus to the first of them.
const more = document.createElement("button");
more.type = "button";
more.className = "search-more";
more.hidden = true;
let rest = null;
if (page) list.after(more);
function offer() {
  const left = rest.results.length - rest.shown.size;
  more.hidden = !page || left <= 0;
  if (!more.hidden) more.textContent = say("search_more", { n: Math.min(left, LIMIT) });
}
more.addEventListener("click", async () => {
  const batch = [];
  const { mine } = rest;
  while (batch.length < LIMIT && rest.next < rest.results.length) {
    const data = await rest.results[rest.next++].data();
    if (mine !== asked) return;
    if (!rest.shown.has(data.url)) {
      rest.shown.add(data.url);
      batch.push(item(data));
    }
  }
  list.append(...batch);
  offer();
  batch[0]?.querySelector("a").focus();
});

function show(open) {
  panel.hidden = !open;
}

function links() {
  return [...list.querySelectorAll("a")];
}

// While an input method composes (pinyin for Chinese), the keys are not the query yet: search once it is done.
box.addEventListener("input", (event) => event.isComposing || run(box.value));
box.addEventListener("compositionend", () => run(box.value));
box.addEventListener("keydown", (event) => {
  if (event.isComposing) return;
  if (event.key === "ArrowDown" && box.value.trim() && links().length) {
    event.preventDefault();
    show(true);
    links()[0].focus();
  } else if (event.key === "Escape" && !page) {
    show(false);
  }
});
panel.addEventListener("keydown", (event) => {
  const all = links();
  const at = all.indexOf(document.activeElement);
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    const next = at + (event.key === "ArrowDown" ? 1 : -1);
    (next < 0 ? box : all[Math.min(next, all.length - 1)]).focus();
  } else if (event.key === "Escape") {
    event.preventDefault();
    if (!page) show(false);
    box.focus();
  }
});
if (!page) {
  // Close when focus or a click goes elsewhere on the page (Arrow Down in the box opens the results again).
  const inside = (node) => node && (form.contains(node) || panel.contains(node));
  // (a click on a result does not always focus it: Safari's, whose focus goes nowhere, is left to the click)
  form.parentElement.addEventListener("focusout", (event) => {
    if (event.relatedTarget && !inside(event.relatedTarget)) show(false);
  });
  document.addEventListener("click", (event) => {
    if (!inside(event.target)) show(false);
  });
}

if (page) {
  const query = new URLSearchParams(location.search).get("q") || "";
  box.value = query;
  if (query) run(query);
} else if (box.value) {
  run(box.value); // typed before this module arrived
}
