/* The menu button (the console's "More"): one component, loaded by the pages that have menus. */
"use strict";

const LiveMenu = (() => {
  const { h } = Live;

  /* A menu button (the ARIA menu button pattern): Enter, Space or the down arrow opens the menu
     on its first item, the up arrow on its last; the arrows, Home and End move, Enter runs an
     item, Escape closes it and gives the focus back to the button, leaving the menu closes it.
     `items` is [[label, run]]; run() decides where the focus goes next. */
  let menus = 0;
  function menuButton(label, name, items) {
    const id = `menu-${++menus}`;
    const button = h("button", { type: "button", class: "menu-button", id: `${id}-button`,
      "aria-haspopup": "menu", "aria-expanded": "false", "aria-controls": id,
      "aria-label": name }, label);
    const entries = items.map(([text, run]) => h("li", { role: "menuitem", tabindex: "-1",
      onclick: () => { close(false); run(); } }, text));
    const menu = h("ul", { role: "menu", id, class: "menu", "aria-labelledby": button.id, hidden: true }, entries);
    const wrap = h("div", { class: "menu-wrap" }, button, menu);
    const focusItem = (at) => entries[(at + entries.length) % entries.length].focus();
    function open(at) {
      menu.hidden = false;
      button.setAttribute("aria-expanded", "true");
      focusItem(at);
    }
    function close(refocus) {
      if (menu.hidden) return;
      menu.hidden = true;
      button.setAttribute("aria-expanded", "false");
      if (refocus) button.focus();
    }
    button.addEventListener("click", () => (menu.hidden ? open(0) : close(true)));
    button.addEventListener("keydown", (event) => {
      const at = { ArrowDown: 0, ArrowUp: -1 }[event.key];
      if (at === undefined) return;
      event.preventDefault();
      open(at);
    });
    menu.addEventListener("keydown", (event) => {
      const at = entries.indexOf(document.activeElement);
      const moves = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: -1 };
      if (event.key in moves) { event.preventDefault(); focusItem(moves[event.key]); }
      else if (event.key === "Escape") { event.preventDefault(); event.stopPropagation(); close(true); }
      else if (event.key === "Enter" || event.key === " ") { event.preventDefault(); entries[at]?.click(); }
      else if (event.key === "Tab") close(false);
    });
    wrap.addEventListener("focusout", (event) => { if (!wrap.contains(event.relatedTarget)) close(false); });
    return wrap;
  }

  return { menuButton };
})();
