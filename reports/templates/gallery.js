// t2vbench gallery: an overlay synchronised to the frame the browser presents (event box, frame
// marker, track trail), clips that play together in a pair, filters and card links. No server,
// no network: everything it needs is in the page (#overlay-data) and the clips beside it.
(() => {
  "use strict";
  const NS = "http://www.w3.org/2000/svg";
  const dataEl = document.getElementById("overlay-data");
  const data = dataEl ? JSON.parse(dataEl.textContent) : {};

  const svgEl = (tag, attrs, parent) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    parent.appendChild(e);
    return e;
  };
  const setRect = (r, b) => {
    r.setAttribute("x", b[0]);
    r.setAttribute("y", b[1]);
    r.setAttribute("width", Math.max(0, b[2] - b[0]));
    r.setAttribute("height", Math.max(0, b[3] - b[1]));
  };
  const play = (v) => { const p = v.play(); if (p) p.catch(() => {}); };

  // One player: a clip, its overlay and its timeline. The frame shown is floor(t * fps): frame k
  // is presented from k / fps to (k + 1) / fps.
  function player(el) {
    const d = data[el.dataset.overlay];
    const video = el.querySelector("video");
    const svg = el.querySelector("svg.overlay");
    if (!d || !video || !svg) return null;
    const fps = d.fps > 0 ? d.fps : 8;
    const T = Math.max(1, d.frames || 1);
    const hold = Math.max(1, Math.round(fps * 0.25)); // frames an event's box stays lit after it
    const marker = el.querySelector(".frame-marker");
    const timeline = el.querySelector(".timeline");
    const head = timeline && timeline.querySelector(".playhead");
    const pos = (f) => (T > 1 ? (100 * f) / (T - 1) : 0) + "%";
    const shapes = d.events.map((ev) => {
      const g = svgEl("g", { class: "ev", "data-type": ev.type || "" }, svg);
      const s = {
        ev,
        rows: (ev.track || []).slice().sort((a, b) => a[0] - b[0]),
        trail: svgEl("polyline", { class: "trail", fill: "none", "vector-effect": "non-scaling-stroke", points: "" }, g),
        cur: svgEl("rect", { class: "cur", "vector-effect": "non-scaling-stroke" }, g),
        box: svgEl("rect", { class: "evbox", "vector-effect": "non-scaling-stroke" }, g),
      };
      if (ev.bbox) setRect(s.box, ev.bbox);
      if (timeline) {
        const tick = document.createElement("span");
        tick.className = "tick";
        tick.style.left = pos(ev.frame);
        tick.title = `${ev.type} at frame ${ev.frame}`;
        timeline.appendChild(tick);
      }
      return s;
    });
    const frameAt = (t) => Math.min(T - 1, Math.max(0, Math.floor(t * fps + 1e-3)));

    function draw(f) {
      el.dataset.frame = String(f);
      if (marker) marker.textContent = `frame ${f} / ${T - 1}`;
      if (head) head.style.left = pos(f);
      let at = false;
      for (const s of shapes) {
        const seen = s.rows.filter((r) => r[0] <= f);
        s.trail.setAttribute("points", seen.map((r) => `${(r[1] + r[3]) / 2},${(r[2] + r[4]) / 2}`).join(" "));
        const row = s.rows.find((r) => r[0] === f);
        if (row) setRect(s.cur, row.slice(1));
        s.cur.style.display = row ? "" : "none";
        const lit = s.ev.bbox && f >= s.ev.frame && f <= s.ev.frame + hold;
        s.box.classList.toggle("lit", !!lit);
        at = at || f === s.ev.frame;
      }
      el.classList.toggle("at-event", at);
    }

    const seek = (f) => {
      video.pause();
      video.dataset.userPaused = "1";
      video.currentTime = (Math.min(T - 1, Math.max(0, f)) + 0.5) / fps;
    };
    if ("requestVideoFrameCallback" in video) {
      const onFrame = (_now, meta) => {
        draw(frameAt(meta.mediaTime));
        video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
    } else {
      const loop = () => {
        draw(frameAt(video.currentTime));
        requestAnimationFrame(loop);
      };
      requestAnimationFrame(loop);
    }
    video.addEventListener("seeked", () => draw(frameAt(video.currentTime)));
    video.addEventListener("click", () => {
      if (video.paused) { delete video.dataset.userPaused; play(video); } else { video.pause(); video.dataset.userPaused = "1"; }
    });
    if (timeline) {
      timeline.addEventListener("click", (e) => {
        const r = timeline.getBoundingClientRect();
        seek(Math.round(((e.clientX - r.left) / r.width) * (T - 1)));
      });
    }
    draw(0);
    return { video, fps, T, seek, frame: () => Number(el.dataset.frame || 0), first: d.events.length ? d.events[0].frame : null };
  }

  // Cards: controls act on every player of the card; the second clip of a pair follows the first.
  for (const card of document.querySelectorAll(".card")) {
    const players = [...card.querySelectorAll(".player")].map(player).filter(Boolean);
    if (!players.length) continue;
    const lead = players[0];
    const eventFrame = players.map((p) => p.first).find((f) => f !== null) ?? 0; // the failing side's
    const act = {
      prev: () => players.forEach((p) => p.seek(lead.frame() - 1)),
      next: () => players.forEach((p) => p.seek(lead.frame() + 1)),
      event: () => players.forEach((p) => p.seek(eventFrame)),
      play: () => players.forEach((p) => { delete p.video.dataset.userPaused; play(p.video); }),
    };
    for (const b of card.querySelectorAll(".controls button")) b.addEventListener("click", () => act[b.dataset.act]());
    for (const p of players.slice(1)) {
      const follow = () => {
        if (Math.abs(p.video.currentTime - lead.video.currentTime) > 0.5 / lead.fps) p.video.currentTime = lead.video.currentTime;
        if (lead.video.paused !== p.video.paused) (lead.video.paused ? p.video.pause() : play(p.video));
      };
      for (const ev of ["seeked", "play", "pause", "timeupdate"]) lead.video.addEventListener(ev, follow);
    }
  }

  // Clips play while their card is on screen (a page of many looping clips stays light).
  if ("IntersectionObserver" in window) {
    const io = new IntersectionObserver((entries) => {
      for (const e of entries) {
        const v = e.target;
        if (!e.isIntersecting) v.pause();
        else if (!v.dataset.userPaused) play(v);
      }
    });
    document.querySelectorAll(".card video").forEach((v) => io.observe(v));
  }

  // Filters by family, check, event type (and change, in a comparison): no server needed.
  const selects = [...document.querySelectorAll(".filters select[data-filter]")];
  const cards = [...document.querySelectorAll(".gallery .card")];
  const shown = document.querySelector(".filters .shown");
  function applyFilters() {
    let n = 0;
    for (const card of cards) {
      const ok = selects.every((s) => {
        if (!s.value) return true;
        const have = (card.dataset[s.dataset.filter] || "").split(" ");
        return have.includes(s.value);
      });
      card.hidden = !ok;
      n += ok;
    }
    if (shown) shown.textContent = `${n} of ${cards.length} shown`;
  }
  selects.forEach((s) => s.addEventListener("change", applyFilters));
  applyFilters();

  // A link to a card (#card-...) shows it even when the filters hid it.
  function showTarget() {
    const id = decodeURIComponent(location.hash.slice(1));
    const card = id && document.getElementById(id);
    if (!card || !card.classList.contains("card")) return;
    if (card.hidden) { selects.forEach((s) => (s.value = "")); applyFilters(); }
    document.querySelectorAll(".card.targeted").forEach((c) => c.classList.remove("targeted"));
    card.classList.add("targeted");
    card.scrollIntoView({ block: "start" });
  }
  window.addEventListener("hashchange", showTarget);
  showTarget();
})();
