// On sign-out the server asks the browser to clear only its HTTP cache ("storage" would reach the
// whole origin and wipe the trips' offline emergency cards, kept by card.html in IndexedDB). So the
// staff app clears its own storage here: all of session storage, and every local key but the card
// app's (an older card app kept its cards in local storage; it moves them out when next opened).
const CARD_APP_PREFIX = 'lantern.cards.';

export function forgetLocalData(): void {
  try {
    sessionStorage.clear();
    for (const key of Object.keys(localStorage)) {
      if (!key.startsWith(CARD_APP_PREFIX)) localStorage.removeItem(key);
    }
  } catch {
    // Storage refused (private mode, say): there is nothing of ours in it then.
  }
}
