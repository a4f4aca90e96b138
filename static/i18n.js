/* The browser's half of the one gettext catalogue (issue 15; live/i18n.py serves the messages).
   Loaded by base.html before the page scripts: LiveI18n (also Live.i18n once the page's scripts
   have run) translates with gettext/ngettext, named placeholders as in Python ("%(name)s"),
   plurals by the language's CLDR rules (Intl.PluralRules), and formats dates, times and numbers
   with Intl in the attendee's time zone. The messages come from /i18n/<lang>.json; until they
   arrive, or if they never do, every message falls back to its msgid (English), so the pages keep
   working. LiveI18n.ready resolves when the catalogue is in (or has failed).
   It also keeps a half-typed question across a switch of language (the picker reloads the page). */
"use strict";

const LiveI18n = (() => {
  const language = document.documentElement.lang || "en";
  let messages = {};
  const DRAFT_KEY = "live-question-draft:" + location.pathname;

  /* "%(name)s" and "%(n)d" replaced by params.name, params.n; "%%" is a percent sign. */
  function interpolate(text, params) {
    if (!params) return text;
    return text.replace(/%(?:\(([A-Za-z_][A-Za-z0-9_]*)\))?([sd%])/g, (match, name, kind) => {
      if (kind === "%") return "%";
      if (name === undefined || !(name in params)) return match;
      const value = params[name];
      return kind === "d" && typeof value === "number" ? formatNumber(value) : String(value);
    });
  }

  function gettext(msgid, params) {
    const found = messages[msgid];
    return interpolate(typeof found === "string" && found ? found : msgid, params);
  }

  /* The plural form of n in this language: Intl.PluralRules gives its CLDR category, and the
     catalogue says which of its forms that category takes. */
  let pluralRules = null;
  // CLDR category -> index of the catalogue's form; the catalogue says (live/i18n.py)
  let plurals = { one: 0, other: 1 };
  // the variety Intl is asked for: the catalogue names it ("pt-PT" for the page's "pt")
  let locale = language;
  function rules() {
    try {
      pluralRules = new Intl.PluralRules(locale);
    } catch (error) {
      pluralRules = null;
    }
  }
  rules();

  function ngettext(singular, plural, n, params) {
    const all = Object.assign({ n: n, num: n }, params || {});
    const forms = messages[singular];
    if (Array.isArray(forms) && forms.length && pluralRules) {
      const category = pluralRules.select(n);
      const index = category in plurals ? plurals[category] : forms.length - 1;
      const form = forms[Math.min(index, forms.length - 1)];
      if (form) return interpolate(form, all);
    }
    return interpolate(n === 1 ? singular : plural, all);
  }

  /* The attendee's own time zone, as today (Intl's default is the browser's). */
  function formatDate(date, options) {
    return new Intl.DateTimeFormat(locale, Object.assign({ dateStyle: "long" }, options || {}))
      .format(new Date(date));
  }

  function formatTime(date, options) {
    return new Intl.DateTimeFormat(locale, Object.assign({ timeStyle: "short" }, options || {}))
      .format(new Date(date));
  }

  function formatNumber(number, options) {
    return new Intl.NumberFormat(locale, options || {}).format(number);
  }

  /* Take a catalogue as /i18n/<lang>.json gives it. */
  function use(catalogue) {
    messages = (catalogue && catalogue.messages) || {};
    if (catalogue && catalogue.plurals) plurals = catalogue.plurals;
    if (catalogue && catalogue.locale && catalogue.locale !== locale) {
      locale = catalogue.locale;
      rules();
    }
  }

  const link = document.getElementById("i18n-catalogue");
  const ready = (link && language !== "en"
    ? fetch(link.href, { credentials: "same-origin" })
        .then((response) => (response.ok ? response.json() : { messages: {} }))
        .then(use)
    : Promise.resolve()
  ).catch(() => { messages = {}; });

  /* The picker reloads the page in another language: a half-typed question goes with it. */
  function keepDraft() {
    const form = document.querySelector(".language-form");
    if (!form) return;
    form.addEventListener("submit", () => {
      const box = document.getElementById("question-text");
      try {
        if (box && box.value) sessionStorage.setItem(DRAFT_KEY, box.value);
      } catch (error) { /* storage refused (private mode): the draft is lost, as before */ }
    });
    const box = document.getElementById("question-text");
    let draft = null;
    try {
      draft = sessionStorage.getItem(DRAFT_KEY);
      sessionStorage.removeItem(DRAFT_KEY);
    } catch (error) { draft = null; }
    if (box && draft && !box.value) {
      box.value = draft;
      // the page's own counter and suggestions follow the text as if it were typed
      box.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }

  const api = {
    language, gettext, ngettext, interpolate, formatDate, formatTime, formatNumber, ready, use,
  };

  document.addEventListener("DOMContentLoaded", () => {
    // common.js's Live, once the page's scripts have made it, carries the catalogue too
    if (typeof Live === "object" && Live && !Live.i18n) Live.i18n = api;
    keepDraft();
  });
  return api;
})();
