// Results as you type: debounced requests to the server, which does the searching; arrow keys
// move through the list, Enter opens, Escape closes. Without JavaScript the box submits normally.
(function () {
  const form = document.querySelector("form.topsearch");
  if (!form || !window.fetch) return;
  const input = form.querySelector("input[name=q]");
  const list = document.createElement("ul");
  list.className = "typeahead";
  list.id = "typeahead";
  list.setAttribute("role", "listbox");
  list.hidden = true;
  form.append(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-controls", "typeahead");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("autocomplete", "off");
  let timer = null;
  let active = -1;
  let latest = 0;

  function close() {
    list.hidden = true;
    active = -1;
    input.setAttribute("aria-expanded", "false");
  }

  function highlight(index) {
    const items = list.querySelectorAll("li[role=option]");
    items.forEach((item, i) => item.setAttribute("aria-selected", i === index ? "true" : "false"));
    active = index;
  }

  function render(data) {
    list.replaceChildren();
    for (const result of data.results) {
      const item = document.createElement("li");
      item.setAttribute("role", "option");
      const link = document.createElement("a");
      link.href = result.url;
      link.textContent = result.title;
      const kind = document.createElement("span");
      kind.className = "badge kind";
      kind.textContent = result.kind;
      item.append(link, kind);
      list.append(item);
    }
    const all = document.createElement("li");
    all.className = "all";
    const more = document.createElement("a");
    more.href = form.action + "?q=" + encodeURIComponent(input.value);
    more.textContent = data.results.length
      ? "All " + data.total + " results"
      : (data.suggestion ? "No matches. Did you mean " + data.suggestion + "?" : "No matches");
    if (!data.results.length && data.suggestion) {
      more.href = form.action + "?q=" + encodeURIComponent(data.suggestion);
    }
    all.append(more);
    list.append(all);
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
  }

  async function lookup() {
    const query = input.value.trim();
    if (query.length < 2) { close(); return; }
    const ticket = ++latest;
    const response = await fetch(form.dataset.suggest + "?q=" + encodeURIComponent(query),
                                 { headers: { Accept: "application/json" } });
    if (!response.ok || ticket !== latest) return;  // a newer keystroke already asked
    render(await response.json());
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(lookup, 150);
  });
  input.addEventListener("keydown", (e) => {
    const items = list.querySelectorAll("li[role=option]");
    if (e.key === "ArrowDown" && items.length) {
      e.preventDefault(); highlight(Math.min(active + 1, items.length - 1));
    } else if (e.key === "ArrowUp" && items.length) {
      e.preventDefault(); highlight(Math.max(active - 1, 0));
    } else if (e.key === "Enter" && active >= 0) {
      e.preventDefault(); window.location = items[active].querySelector("a").href;
    } else if (e.key === "Escape") {
      close();
    }
  });
  document.addEventListener("click", (e) => { if (!form.contains(e.target)) close(); });
})();
