// recordpack's only script: progress polling, the key check as you type, copy button.
// Written for this project; no library. Every page works without it (forms post normally).
"use strict";

function csrfToken() {
  const field = document.querySelector('input[name="csrf"]');
  return field ? field.value : "";
}

// Decimal units, as the server's pages and file managers show them.
function size(bytes) {
  const units = ["bytes", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return (unit === 0 ? value : value.toFixed(1)) + " " + units[unit];
}

function watchJob(box) {
  const id = box.dataset.job;
  const unit = box.dataset.unit || "files";
  const bar = document.getElementById("bar");
  const status = document.getElementById("status");
  let lastDone = -1;
  let sameSince = Date.now();
  async function poll() {
    let state;
    try {
      const answer = await fetch("/api/jobs/" + encodeURIComponent(id), { credentials: "same-origin" });
      state = await answer.json();
    } catch (error) {
      status.textContent = "recordpack has stopped. Start it again to go on.";
      return;
    }
    if (state.state === "done" && state.next) {
      window.location.assign(state.next);
      return;
    }
    if (state.state !== "running") {
      window.location.reload();
      return;
    }
    if (state.total > 0) {
      bar.max = state.total;
      bar.value = state.done;
    }
    if (state.done !== lastDone) {
      lastDone = state.done;
      sameSince = Date.now();
    }
    let text = "Starting…";
    if (state.total > 0 && unit === "bytes") {
      const percent = Math.floor((100 * state.done) / state.total);
      text = percent + "% done (" + size(state.done) + " of " + size(state.total) + ")";
    } else if (state.total > 0) {
      text = state.done + " of " + state.total + " " + unit + " done";
    }
    text += " (" + state.seconds + " s)";
    if (Date.now() - sameSince > 5000) {
      text += ". Still working on a large file…";
    }
    status.textContent = text;
    window.setTimeout(poll, 400);
  }
  poll();
}

function watchKey(input) {
  const status = document.getElementById("key-status");
  let timer = null;
  async function check() {
    const answer = await fetch("/api/recipient", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify({ key: input.value }),
    });
    const result = await answer.json();
    status.classList.toggle("good", result.ok);
    status.classList.toggle("bad", !result.ok && result.message !== "");
    status.textContent = result.ok
      ? "✓ " + result.message
      : result.message + (result.hint ? " " + result.hint : "");
  }
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 250);
  });
  if (input.value) {
    check(); // typed before the page had finished loading
  }
}

function copyButton(button) {
  button.addEventListener("click", async function () {
    const source = document.getElementById(button.dataset.copy);
    const said = document.getElementById("copied");
    try {
      await navigator.clipboard.writeText(source.textContent.trim());
      said.textContent = "Copied.";
    } catch (error) {
      const range = document.createRange();
      range.selectNodeContents(source);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      said.textContent = "Selected: press Ctrl+C (or Cmd+C) to copy.";
    }
  });
}

document.addEventListener("DOMContentLoaded", function () {
  const job = document.getElementById("job");
  if (job && job.dataset.state === "running") {
    watchJob(job);
  }
  const key = document.getElementById("key");
  if (key) {
    watchKey(key);
  }
  document.querySelectorAll("button[data-copy]").forEach(copyButton);
});
