// A small square of a category's colour. The colour is set through the CSSOM (allowed by the
// Content-Security-Policy, unlike a style="" attribute in markup) and only if it is a plain hex.
import { useLayoutEffect, useRef } from 'react';

const HEX = /^#[0-9a-fA-F]{6}$/;

export function Swatch({ colour }: { colour: string }) {
  const ref = useRef<HTMLSpanElement>(null);
  useLayoutEffect(() => {
    if (ref.current && HEX.test(colour)) ref.current.style.backgroundColor = colour;
  }, [colour]);
  return <span ref={ref} className="swatch" aria-hidden="true" />;
}
