import type { Compositor } from '../../pipeline/stages/compose/compositor.ts';
import { PRODUCT_CARD_ID, ProductCard } from '../../pipeline/stages/compose/product-card.ts';
import type { CardSlot, StoredRundown } from './show-runner.ts';

/** Keeps the product card overlay on the segment the show is in (and its countdown ticking). */
export class ProductCardSlot implements CardSlot {
  readonly #compositor: Compositor;
  readonly #warn: (msg: string) => void;
  #segmentId: string | undefined;
  #ticker: NodeJS.Timeout | undefined;
  #generation = 0;

  constructor(compositor: Compositor, warn: (msg: string) => void) {
    this.#compositor = compositor;
    this.#warn = warn;
  }

  show(segment: StoredRundown['segments'][number] | undefined): void {
    if (segment?.id === this.#segmentId && segment) return;
    this.#segmentId = segment?.id;
    const generation = ++this.#generation;
    this.#stopTicker();
    if (!segment) return this.#set(undefined);
    const { imageBase64, ...content } = segment.product;
    ProductCard.create(this.#compositor.format, content, imageBase64).then(
      (card) => {
        if (generation !== this.#generation) return; // the show moved on meanwhile
        this.#set(card);
        if (card.ticking) {
          this.#ticker = setInterval(() => (card.ticking ? this.#set(card) : this.#stopTicker()), 1000);
          this.#ticker.unref();
        }
      },
      (err: Error) => this.#warn(err.message),
    );
  }

  #set(card: ProductCard | undefined): void {
    const others = this.#compositor.overlays.filter((o) => o.id !== PRODUCT_CARD_ID);
    this.#compositor.overlays = card ? [...others, card.overlay()] : others;
  }

  #stopTicker(): void {
    if (this.#ticker) clearInterval(this.#ticker);
    this.#ticker = undefined;
  }

  close(): void {
    this.#generation++;
    this.#stopTicker();
  }
}
