// Drag-and-drop upload with one progress bar per file. Each file goes to the JSON API as its own
// request, so one bad file never blocks the others. Without JavaScript the form posts normally.
(function () {
  const form = document.getElementById("upload-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  const input = document.getElementById("files");
  const zone = document.getElementById("dropzone");
  const queue = document.getElementById("queue");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const maxBytes = Number(form.dataset.maxBytes);
  let chosen = [];

  function addFiles(files) {
    for (const file of files) chosen.push(file);
    renderQueue();
  }

  function renderQueue() {
    queue.replaceChildren();
    chosen.forEach((file, index) => {
      const item = document.createElement("li");
      item.dataset.index = index;
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = file.name;
      const bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      const status = document.createElement("span");
      status.className = "status";
      status.textContent = file.size > maxBytes ? "Too large" : "Ready";
      item.append(name, bar, status);
      queue.append(item);
    });
  }

  function metadata() {
    const data = {};
    for (const name of ["title", "description", "stage", "persona", "industry", "product", "tags", "status", "review_by"]) {
      const field = form.elements[name];
      if (field && field.value !== "") data[name] = field.value;
    }
    if (chosen.length > 1) delete data.title;
    return data;
  }

  function upload(file, item, fields) {
    return new Promise((resolve) => {
      const bar = item.querySelector("progress");
      const status = item.querySelector(".status");
      if (file.size > maxBytes) { item.classList.add("failed"); resolve(false); return; }
      const body = new FormData();
      body.append("file", file, file.name);
      for (const [k, v] of Object.entries(fields)) body.append(k, v);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.dataset.api);
      xhr.setRequestHeader("X-CSRFToken", csrf);
      xhr.upload.addEventListener("progress", (e) => {
        if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
      });
      xhr.addEventListener("load", () => {
        let payload = {};
        try { payload = JSON.parse(xhr.responseText); } catch (err) { payload = {}; }
        if (xhr.status === 201) {
          bar.value = 100;
          item.classList.add("done");
          status.replaceChildren();
          const link = document.createElement("a");
          link.href = "/assets/" + payload.id;
          link.textContent = "Uploaded: open";
          status.append(link);
          resolve(true);
        } else {
          item.classList.add("failed");
          status.textContent = (payload.error && payload.error.message) || "Upload failed (" + xhr.status + ")";
          resolve(false);
        }
      });
      xhr.addEventListener("error", () => {
        item.classList.add("failed");
        status.textContent = "Network error";
        resolve(false);
      });
      status.textContent = "Uploading…";
      xhr.send(body);
    });
  }

  input.addEventListener("change", () => { addFiles(input.files); input.value = ""; });
  ["dragenter", "dragover"].forEach((type) => zone.addEventListener(type, (e) => {
    e.preventDefault(); zone.classList.add("over");
  }));
  ["dragleave", "drop"].forEach((type) => zone.addEventListener(type, (e) => {
    e.preventDefault(); zone.classList.remove("over");
  }));
  zone.addEventListener("drop", (e) => addFiles(e.dataTransfer.files));

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!chosen.length) { queue.textContent = "Choose at least one file."; return; }
    const fields = metadata();
    const items = Array.from(queue.children);
    const files = chosen;
    chosen = [];
    // Two at a time: enough to keep the connection busy without starving the server.
    let next = 0;
    async function worker() {
      while (next < files.length) {
        const i = next++;
        await upload(files[i], items[i], fields);
      }
    }
    await Promise.all([worker(), worker()]);
    form.dataset.finished = "true";
  });
})();
