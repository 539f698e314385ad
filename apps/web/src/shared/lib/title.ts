// The tab's title is the page's own (`Projects · Baton`) with the count of agents waiting for a
// person in front (`(2) Projects · Baton`), so a tab in the background shows it. Pages say their
// title; the shell says the count; neither overwrites the other.
let pageTitle = 'Baton';
let waiting = 0;
const apply = () => {
  document.title = titleWithCount(waiting, pageTitle);
};

export function setPageTitle(title: string): void {
  pageTitle = title;
  apply();
}

export function setWaitingCount(count: number): void {
  waiting = count;
  apply();
}

/** The title with the count of waiting agents in front: `(2) Baton`; nothing when none waits. */
export function titleWithCount(count: number, base = 'Baton'): string {
  return count > 0 ? `(${count > 99 ? '99+' : count}) ${base}` : base;
}
