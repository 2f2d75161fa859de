// nvivo-bridge web: uploads, job progress and cancel, the CIPP mapping's live update.
// Plain JavaScript, no build step. Every call that changes something sends X-Nvivo-Bridge: 1.
"use strict";

const HDR = { "X-Nvivo-Bridge": "1" };

async function api(method, url, body) {
  const opts = { method, headers: { ...HDR }, credentials: "same-origin" };
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const res = await fetch(url, opts);
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.error || res.statusText);
  return data;
}

function putFile(url, file, onProgress) {
  // XMLHttpRequest rather than fetch: it reports upload progress.
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    xhr.setRequestHeader("X-Nvivo-Bridge", "1");
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded, e.total);
    xhr.onload = () => {
      let data = {};
      try { data = JSON.parse(xhr.responseText); } catch (e) { /* plain text refusal */ }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(new Error(data.error || xhr.responseText || xhr.statusText));
    };
    xhr.onerror = () => reject(new Error("upload failed"));
    xhr.send(file);
  });
}

// Poll a job until it ends; update a box holding <progress>, .pct and .cancel.
async function follow(job, box) {
  const bar = box.querySelector("progress");
  const pct = box.querySelector(".pct");
  const cancel = box.querySelector(".cancel");
  if (cancel) {
    cancel.hidden = false;
    cancel.onclick = () => api("POST", `/api/jobs/${job.id}/cancel`).catch(() => {});
  }
  for (;;) {
    if (bar) { if (job.percent === null) bar.removeAttribute("value"); else bar.value = job.percent; }
    if (pct) pct.textContent = job.percent === null ? `${job.seconds} s` : `${job.percent} %`;
    if (job.status !== "running") break;
    await new Promise((r) => setTimeout(r, 300));
    job = await api("GET", `/api/jobs/${job.id}`);
  }
  if (cancel) cancel.hidden = true;
  return job;
}

function showError(box, message) {
  const el = box.querySelector(".error");
  if (el) { el.hidden = false; el.textContent = message; }
}

// -- projects page: drop or choose files ------------------------------------------------------
function setupUpload() {
  const zone = document.getElementById("dropzone");
  if (!zone) return;
  const box = document.getElementById("upload-status");
  const label = box.querySelector(".label");
  // files: [{file, name}] where name may be a relative path (a chosen or dropped folder).
  async function send(files) {
    if (!files.length) return;
    box.hidden = false;
    try {
      const ws = await api("POST", "/api/workspaces");
      let i = 0;
      for (const { file, name } of files) {
        i += 1;
        label.textContent = `${zone.dataset.uploading} ${name} (${i}/${files.length})`;
        await putFile(`/api/workspaces/${ws.id}/files?name=${encodeURIComponent(name)}`, file,
          (done, total) => { box.querySelector("progress").value = Math.round(100 * done / total); });
      }
      label.textContent = zone.dataset.reading;
      const job = await follow(await api("POST", `/api/workspaces/${ws.id}/open`), box);
      if (job.status === "done" && job.redirect) window.location.href = job.redirect;
      else showError(box, job.error || job.status);
    } catch (e) { showError(box, e.message); }
  }
  document.querySelectorAll("button.close-project").forEach((btn) => {
    btn.addEventListener("click", async () => {
      await api("POST", `/api/workspaces/${btn.dataset.ws}/close`).catch(() => {});
      window.location.reload();
    });
  });
  for (const id of ["file-input", "folder-input"]) {
    const input = document.getElementById(id);
    input.addEventListener("change", () => send(Array.from(input.files).map(
      (file) => ({ file, name: file.webkitRelativePath || file.name }))));
  }
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", async (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    // Entries must be taken while the event lasts; a dropped folder is walked for its files.
    const entries = Array.from(e.dataTransfer.items || [])
      .map((item) => item.webkitGetAsEntry && item.webkitGetAsEntry()).filter(Boolean);
    if (!entries.length) {
      send(Array.from(e.dataTransfer.files).map((file) => ({ file, name: file.name })));
      return;
    }
    const found = [];
    async function walk(entry, prefix) {
      if (entry.isFile) {
        const file = await new Promise((ok, fail) => entry.file(ok, fail));
        found.push({ file, name: prefix + file.name });
      } else if (entry.isDirectory) {
        const reader = entry.createReader();
        for (;;) {
          const batch = await new Promise((ok, fail) => reader.readEntries(ok, fail));
          if (!batch.length) break;
          for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
        }
      }
    }
    for (const entry of entries) await walk(entry, "");
    send(found);
  });
}

// -- CIPP page: one select per code -----------------------------------------------------------
function setupMapping() {
  const root = document.getElementById("cipp");
  if (!root) return;
  const ws = root.dataset.ws;
  const status = document.getElementById("cipp-status");
  root.querySelectorAll("select.component").forEach((sel) => {
    sel.addEventListener("change", async () => {
      status.textContent = root.dataset.updating;
      try {
        const data = await api("POST", `/api/p/${ws}/mapping`, { guid: sel.dataset.guid, component: sel.value });
        const body = document.querySelector("#cipp-overview tbody");
        body.replaceChildren(...data.overview.map((r) => {
          const tr = document.createElement("tr");
          tr.dataset.component = r.component;
          for (const [k, cls] of [["label", ""], ["codes", "num"], ["references", "num refs"], ["sources", "num"],
            ["cases", "num"], ["cases_pct", "num"], ["top_codes", "small"]]) {
            const td = document.createElement("td");
            td.className = cls;
            td.textContent = r[k];
            tr.appendChild(td);
          }
          return tr;
        }));
        document.querySelectorAll("td.current").forEach((td) => { td.textContent = data.current[td.dataset.guid] || ""; });
        const figs = document.getElementById("figures");
        figs.replaceChildren(...data.figures.map((k) => {
          const img = document.createElement("img");
          img.alt = k;
          img.dataset.key = k;
          img.addEventListener("error", () => { img.hidden = true; });
          img.src = `/p/${ws}/cipp/figure/${k}.png?v=${data.version}`;
          return img;
        }));
        status.textContent = "";
        root.dataset.version = data.version;
      } catch (e) { status.textContent = e.message; }
    });
  });
  // A figure the data does not allow (no attribute, no case) answers 404: hide it.
  document.querySelectorAll("#figures img").forEach((img) => {
    img.addEventListener("error", () => { img.hidden = true; });
    if (img.complete && img.naturalWidth === 0) img.hidden = true;
  });
  const save = document.getElementById("save-mapping");
  save.addEventListener("click", () => makeDownload(ws, "mapping", document.getElementById("mapping-job")));
}

// -- downloads: start a job, follow it, offer the file ----------------------------------------
async function makeDownload(ws, key, box) {
  const target = document.getElementById("target");
  box.hidden = false;
  const link = box.querySelector(".result");
  const state = box.querySelector(".state");
  link.textContent = "";
  if (state) state.textContent = "";
  try {
    let job = await api("POST", `/api/p/${ws}/downloads/${key}`, { target: target ? target.value : "standard" });
    job = await follow(job, box);
    if (job.status === "done") {
      link.href = job.url;
      link.textContent = job.file;
      link.setAttribute("download", job.file);
      const lost = job.ledger ? Object.entries(job.ledger.lost) : [];
      if (state && lost.length) {
        state.textContent = " ⚠ " + lost.map(([k, [r, w]]) => `${k}: ${w} / ${r}`).join(", ");
      }
    } else if (state) {
      state.textContent = job.status;
    }
    if (job.error) showError(box, job.error);
  } catch (e) { showError(box, e.message); }
}

function setupDownloads() {
  const table = document.getElementById("downloads");
  if (!table) return;
  table.querySelectorAll("button.make").forEach((btn) => {
    btn.addEventListener("click", () => makeDownload(table.dataset.ws, btn.dataset.key,
      btn.closest("tr").querySelector("td.job")));
  });
}

document.addEventListener("DOMContentLoaded", () => { setupUpload(); setupMapping(); setupDownloads(); });
