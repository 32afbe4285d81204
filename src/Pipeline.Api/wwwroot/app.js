// The search page: finds the owner's pictures through the /v1 API. Images are fetched with the owner's headers
// (an <img src> cannot send them) and shown from object URLs.
"use strict";

const $ = (id) => document.getElementById(id);
const ownerInput = $("owner");
const keyInput = $("api-key");
const results = $("results");
const statusLine = $("status");
const moreButton = $("more");
const details = $("details");
const pageSize = 24;
let objectUrls = [];
let current = { query: "", page: 1 };

ownerInput.value = localStorage.getItem("owner") ?? "";
keyInput.value = sessionStorage.getItem("apiKey") ?? "";
ownerInput.addEventListener("change", () => { localStorage.setItem("owner", ownerInput.value.trim()); show("", 1); });
keyInput.addEventListener("change", () => { sessionStorage.setItem("apiKey", keyInput.value.trim()); show("", 1); });

function headers() {
  const key = keyInput.value.trim();
  const owner = ownerInput.value.trim();
  return key ? { "X-Api-Key": key } : owner ? { "X-Owner-Id": owner } : {};
}

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { ...headers(), ...(options.headers ?? {}) } });
  if (!response.ok) {
    const problem = response.headers.get("content-type")?.includes("json") ? await response.json() : {};
    throw new Error(problem.detail ?? problem.title ?? `${response.status} ${response.statusText}`);
  }
  return response;
}

async function imageUrl(path) {
  const url = URL.createObjectURL(await (await api(path)).blob());
  objectUrls.push(url);
  return url;
}

function setStatus(text, isError = false) {
  statusLine.textContent = text;
  statusLine.classList.toggle("error", isError);
}

async function show(query, page) {
  if (!ownerInput.value.trim() && !keyInput.value.trim()) {
    setStatus("Enter your owner id or API key to see your pictures.");
    return;
  }
  current = { query, page };
  if (page === 1) {
    objectUrls.forEach(URL.revokeObjectURL);
    objectUrls = [];
    results.replaceChildren();
  }
  setStatus(query ? `Searching for “${query}”…` : "Loading your latest pictures…");
  try {
    const params = new URLSearchParams({ page, pageSize });
    let items, hasMore;
    if (query) {
      params.set("q", query);
      const found = await (await api(`/v1/search?${params}`)).json();
      items = found.hits;
      hasMore = found.hasMore;
    } else {
      params.set("status", "described");
      const list = await (await api(`/v1/images?${params}`)).json();
      items = list.items;
      hasMore = list.hasMore;
    }
    items.forEach((item) => results.append(card(item)));
    moreButton.hidden = !hasMore;
    const shown = results.children.length;
    setStatus(shown === 0 ? (query ? `Nothing found for “${query}”.` : "No pictures yet.")
      : `${shown} picture${shown === 1 ? "" : "s"}${query ? ` for “${query}”` : ", newest first"}.`);
  } catch (error) {
    setStatus(error.message, true);
  }
}

function card(item) {
  const li = document.createElement("li");
  const button = document.createElement("button");
  button.type = "button";
  const img = document.createElement("img");
  img.alt = item.altText ?? "";
  img.loading = "lazy";
  imageUrl(item.links.thumbnail).then((url) => { img.src = url; }, () => { img.alt = "(picture unavailable)"; });
  const alt = document.createElement("p");
  alt.className = "alt";
  alt.textContent = item.altText ?? "(no alt-text)";
  button.append(img, alt);
  if (item.score !== undefined) {
    const score = document.createElement("p");
    score.className = "score";
    score.textContent = `score ${item.score.toFixed(3)}`;
    button.append(score);
  }
  if (item.standInModels) {
    button.append(standInBadge());
  }
  button.addEventListener("click", () => openDetails(item.id));
  li.append(button);
  return li;
}

const stages = ["fetch", "decode", "embed", "caption", "ocr", "persist"];
function stageOrder(stage) {
  const index = stages.indexOf(stage);
  return index < 0 ? stages.length : index;
}

function standInBadge() {
  const badge = document.createElement("p");
  badge.className = "stand-in";
  badge.textContent = "STAND-IN MODEL";
  return badge;
}

/** Boxes are in the picture's own pixels: the overlay's viewBox is the picture's size, stretched over the shown image. */
function drawBoxes(image) {
  const svg = $("details-boxes");
  svg.replaceChildren();
  if (!image.width || !image.objects?.length) return;
  svg.setAttribute("viewBox", `0 0 ${image.width} ${image.height}`);
  // Labels keep about the same size on screen whatever the picture's own size.
  const fontSize = Math.max(image.width, image.height) / 40;
  const ns = "http://www.w3.org/2000/svg";
  for (const { label, box: [x1, y1, x2, y2] } of image.objects) {
    const rect = document.createElementNS(ns, "rect");
    rect.setAttribute("x", Math.min(x1, x2));
    rect.setAttribute("y", Math.min(y1, y2));
    rect.setAttribute("width", Math.abs(x2 - x1));
    rect.setAttribute("height", Math.abs(y2 - y1));
    const text = document.createElementNS(ns, "text");
    text.setAttribute("x", x1);
    text.setAttribute("y", y1);
    text.setAttribute("dy", "1em");
    text.setAttribute("font-size", fontSize);
    text.textContent = label;
    svg.append(rect, text);
  }
}

async function openDetails(id) {
  try {
    const image = await (await api(`/v1/images/${encodeURIComponent(id)}`)).json();
    $("details-title").textContent = image.id;
    $("details-alt").textContent = image.altText ?? "—";
    $("details-caption").textContent = image.caption ?? "—";
    $("details-long").textContent = image.longDescription ?? "—";
    $("details-objects").textContent = (image.objects ?? []).map((o) => o.label).join(", ") || "—";
    const unread = image.ocrUnreadRegions
      ? `${image.ocrText ? "\n" : ""}(${image.ocrUnreadRegions} region${image.ocrUnreadRegions === 1 ? "" : "s"} with text that could not be read)` : "";
    $("details-ocr").textContent = (image.ocrText ?? (unread ? "" : "—")) + unread;
    $("details-size").textContent = image.width
      ? `${image.width}×${image.height} uploaded, ${image.processedWidth}×${image.processedHeight} processed` : "—";
    $("details-models").textContent = [image.models?.caption, image.models?.embedding, image.models?.ocr].filter(Boolean).join(", ") || "—";
    $("details-timings").textContent = Object.entries(image.timingsMs ?? {})
      .sort(([a], [b]) => stageOrder(a) - stageOrder(b))
      .map(([stage, ms]) => `${stage} ${ms.toFixed(1)} ms`).join(" · ") || "—";
    $("details-stand-in").hidden = !image.standInModels;
    const picture = $("details-image");
    picture.alt = image.altText ?? "";
    picture.src = await imageUrl(`${image.links.content}?width=768`);
    drawBoxes(image);
    details.showModal();
  } catch (error) {
    setStatus(error.message, true);
  }
}

$("search").addEventListener("submit", (event) => {
  event.preventDefault();
  show($("query").value.trim(), 1);
});
moreButton.addEventListener("click", () => show(current.query, current.page + 1));
show("", 1);
