// Draws PDFs into canvases with the vendored pdf.js, for every `.pdf-viewer` element on the page
// (templates/library/_pdf_viewer.html). Its data-src is a same-origin URL of the PDF's bytes.
// Pages are drawn as they scroll into view, so a long deck does not render all at once.
import * as pdfjs from "../vendor/pdfjs-dist/pdf.min.mjs";

pdfjs.GlobalWorkerOptions.workerSrc =
  new URL("../vendor/pdfjs-dist/pdf.worker.min.mjs", import.meta.url).href;

const MAX_CSS_WIDTH = 1000;

function pageSize(viewer, page) {
  const natural = page.getViewport({ scale: 1 });
  const cssWidth = Math.min(MAX_CSS_WIDTH, viewer.clientWidth || MAX_CSS_WIDTH);
  return { natural, scale: cssWidth / natural.width };
}

async function drawPage(pdf, viewer, canvas) {
  const page = await pdf.getPage(Number(canvas.dataset.page));
  const { natural, scale } = pageSize(viewer, page);
  const ratio = window.devicePixelRatio || 1;
  const viewport = page.getViewport({ scale: scale * ratio });
  canvas.width = Math.floor(viewport.width);
  canvas.height = Math.floor(viewport.height);
  canvas.style.width = `${Math.floor(natural.width * scale)}px`;
  await page.render({ canvas, viewport }).promise;
  canvas.dataset.rendered = "true";
}

function placeholders(pdf, viewer, first) {
  const { natural, scale } = pageSize(viewer, first);
  const list = viewer.querySelector(".pdf-pages");
  const canvases = [];
  for (let number = 1; number <= pdf.numPages; number += 1) {
    const canvas = document.createElement("canvas");
    canvas.className = "pdf-page";
    canvas.dataset.page = String(number);
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", `Page ${number} of ${pdf.numPages}`);
    // Shaped like the first page until drawn, so scrolling and the observer behave.
    canvas.width = Math.floor(natural.width);
    canvas.height = Math.floor(natural.height);
    canvas.style.width = `${Math.floor(natural.width * scale)}px`;
    list.append(canvas);
    canvases.push(canvas);
  }
  return canvases;
}

function failed(viewer, status, error) {
  viewer.dataset.state = "failed";
  status.textContent = "This PDF cannot be shown here. Download it instead.";
  console.warn("PDF viewer:", error);
}

async function show(viewer) {
  const status = viewer.querySelector(".pdf-status");
  let pdf;
  try {
    pdf = await pdfjs.getDocument({ url: viewer.dataset.src }).promise;
    const canvases = placeholders(pdf, viewer, await pdf.getPage(1));
    viewer.dataset.pageCount = String(pdf.numPages);
    status.textContent = `${pdf.numPages} page${pdf.numPages === 1 ? "" : "s"}`;
    const observer = new IntersectionObserver((entries) => {
      for (const entry of entries.filter((e) => e.isIntersecting)) {
        observer.unobserve(entry.target);
        drawPage(pdf, viewer, entry.target).catch((error) => failed(viewer, status, error));
      }
    }, { rootMargin: "200px 0px" });
    canvases.forEach((canvas) => observer.observe(canvas));
    viewer.dataset.state = "ready";
  } catch (error) {
    failed(viewer, status, error);
  }
}

document.querySelectorAll(".pdf-viewer[data-src]").forEach(show);
