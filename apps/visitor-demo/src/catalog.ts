/** One thing the demo shop sells. */
export interface Product {
  id: string;
  name: string;
  /** Price in cents, so totals add up exactly. */
  price: number;
  blurb: string;
  description: string;
  /** The hue of the product's picture tile. */
  hue: number;
}

/** The shop's whole range: small on purpose, it only has to be navigable. */
export const PRODUCTS: readonly Product[] = [
  {
    id: 'trail-pack',
    name: 'Trail Pack 28L',
    price: 8900,
    blurb: 'A light daypack with a ventilated back panel.',
    description:
      'Made for long days on the trail: a 28-litre main compartment, a hydration sleeve, hip-belt pockets within reach and a back panel that lets air through.',
    hue: 152,
  },
  {
    id: 'summit-shell',
    name: 'Summit Shell Jacket',
    price: 21900,
    blurb: 'Waterproof, breathable, packs into its own pocket.',
    description:
      'A three-layer shell for weather that changes its mind. Taped seams, a helmet-compatible hood and pit zips for the climb.',
    hue: 205,
  },
  {
    id: 'ridge-poles',
    name: 'Ridge Trekking Poles',
    price: 6400,
    blurb: 'Carbon poles that fold to 38 cm.',
    description:
      'Three-section carbon poles with cork grips and quick locks. They fold small enough for a daypack side pocket.',
    hue: 28,
  },
  {
    id: 'basecamp-tent',
    name: 'Basecamp Tent 2P',
    price: 34900,
    blurb: 'A two-person tent that pitches in five minutes.',
    description:
      'Freestanding, two doors, two vestibules and a colour-coded pitch. 1.9 kg on the trail, roomy enough for a rainy afternoon.',
    hue: 95,
  },
  {
    id: 'alpine-mug',
    name: 'Alpine Mug',
    price: 1800,
    blurb: 'A double-wall titanium mug, 450 ml.',
    description:
      'Keeps coffee hot on a cold summit and weighs next to nothing. The handles fold flat against the wall.',
    hue: 265,
  },
  {
    id: 'trailhead-lamp',
    name: 'Trailhead Headlamp',
    price: 4500,
    blurb: '400 lumens, USB-C, red night mode.',
    description:
      'A rechargeable headlamp with a red mode that keeps your night vision and a lock so it never switches on in the pack.',
    hue: 345,
  },
];

/**
 * The product with this ID, or `undefined`.
 *
 * @example
 * findProduct('alpine-mug')?.name; // 'Alpine Mug'
 */
export function findProduct(id: string | null | undefined): Product | undefined {
  return PRODUCTS.find((product) => product.id === id);
}

const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

/**
 * A price in cents as shown in the shop.
 *
 * @example
 * formatPrice(8900); // '$89.00'
 */
export function formatPrice(cents: number): string {
  return money.format(cents / 100);
}
