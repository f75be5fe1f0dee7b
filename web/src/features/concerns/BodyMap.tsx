// The body map: a front and a back outline with numbered marks. Marks are added by tapping the
// outline or, for keyboards, screen readers and broad fingers, by choosing a named place from a
// list; either way each mark has a type and a description. The outline and the "is it on the body"
// rule are the server's own (src/shared/body-map.ts), so a mark placed here is never refused as
// off the map.
import { useImperativeHandle, useState, type MouseEvent, type Ref } from 'react';
import {
  BODY_MAP_SIDES,
  BODY_MAP_VIEWBOX,
  BODY_MARK_TYPES,
  isOnBody,
  svgPath,
  type BodyMapMark,
  type BodyMapSide,
  type BodyMarkType,
} from '../../../../src/shared/body-map.ts';
import {
  BODY_MAP_SIDE_LABELS as SIDE_LABEL,
  BODY_MARK_TYPE_LABELS as TYPE_LABEL,
  describeMark,
  markTypeLabel,
  namedPlaces,
  nearestPlace,
} from '../../../../src/shared/body-map-regions.ts';
import { Select } from '../../ui/Field.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { Button } from '../../ui/Button.tsx';

export type { BodyMapMark };

export { describeMark, markTypeLabel };

/** The outlines with numbered marks; `onPoint` makes them tappable (the editor). */
function Figures({
  marks,
  onPoint,
  pending,
}: {
  marks: readonly BodyMapMark[];
  onPoint?: (side: BodyMapSide, x: number, y: number) => void;
  pending?: { side: BodyMapSide; x: number; y: number } | null;
}) {
  const { width, height } = BODY_MAP_VIEWBOX;
  const click = (side: BodyMapSide) => (e: MouseEvent<SVGSVGElement>) => {
    if (!onPoint) return;
    const box = e.currentTarget.getBoundingClientRect();
    onPoint(side, (e.clientX - box.left) / box.width, (e.clientY - box.top) / box.height);
  };
  return (
    <div className="body-map">
      {BODY_MAP_SIDES.map((side) => {
        const numbered = marks.map((m, i) => ({ m, n: i + 1 })).filter(({ m }) => m.side === side);
        return (
          <figure key={side} className="body-map-side">
            <svg
              viewBox={`0 0 ${width} ${height}`}
              role="img"
              aria-label={`${SIDE_LABEL[side]} of the body: ${
                numbered.length === 0
                  ? 'no marks'
                  : numbered.map(({ m, n }) => `mark ${n}, ${describeMark(m)}`).join('; ')
              }`}
              className={onPoint ? 'body-map-svg body-map-svg-editable' : 'body-map-svg'}
              onClick={click(side)}
            >
              <path d={svgPath(side)} className="body-map-outline" />
              {numbered.map(({ m, n }) => (
                <g key={n}>
                  <circle cx={m.x * width} cy={m.y * height} r={5} className="body-map-mark" />
                  <text
                    x={m.x * width}
                    y={m.y * height}
                    className="body-map-number"
                    dominantBaseline="central"
                    textAnchor="middle"
                  >
                    {n}
                  </text>
                </g>
              ))}
              {pending && pending.side === side && (
                <circle
                  cx={pending.x * width}
                  cy={pending.y * height}
                  r={5}
                  className="body-map-pending"
                />
              )}
            </svg>
            <figcaption>{SIDE_LABEL[side]}</figcaption>
          </figure>
        );
      })}
    </div>
  );
}

/** A body map to read (the concern page). */
export function BodyMapView({ marks }: { marks: readonly BodyMapMark[] }) {
  if (marks.length === 0) return null;
  return (
    <>
      <Figures marks={marks} />
      <ol className="body-map-marks">
        {marks.map((m, i) => (
          <li key={i}>
            <strong>{describeMark(m)}</strong>: {m.description}
          </li>
        ))}
      </ol>
    </>
  );
}

/**
 * What the form asks of the body map as it saves: a mark placed and described but not yet added
 * is added (and given back, as the form's own list is updated only after this render); one only
 * half given (a place without a description, or the reverse) is a problem named by the field.
 */
export type BodyMapHandle = {
  settle: () => { added: BodyMapMark | null; problem: string | null };
};

type Props = {
  marks: BodyMapMark[];
  onChange: (next: BodyMapMark[]) => void;
  idPrefix: string;
  /** The form's name for the mark being described (its message, its focus). */
  name?: string;
  ref?: Ref<BodyMapHandle>;
};

const TAPPED = 'tapped';

/** The body map editor used when logging a concern. */
export function BodyMapField({ marks, onChange, idPrefix, name, ref }: Props) {
  const [side, setSide] = useState<BodyMapSide>('front');
  const [place, setPlace] = useState('');
  const [tapped, setTapped] = useState<{ side: BodyMapSide; x: number; y: number } | null>(null);
  const [type, setType] = useState<BodyMarkType>('bruise');
  const [description, setDescription] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [said, setSaid] = useState('');
  const id = (s: string) => `${idPrefix}-${s}`;
  const places = namedPlaces(side);

  const onPoint = (s: BodyMapSide, x: number, y: number) => {
    if (!isOnBody(s, x, y)) {
      setProblem(
        'That point is off the outline. Tap on the body, or choose a place from the list.',
      );
      return;
    }
    setProblem(null);
    setSide(s);
    setTapped({ side: s, x, y });
    setPlace(TAPPED);
  };

  /** The mark being placed, or why it cannot be added yet. */
  const pending = (): { mark: BodyMapMark } | { problem: string } => {
    const at =
      place === TAPPED && tapped && tapped.side === side
        ? tapped
        : places.find((p) => p.key === place);
    if (!at) return { problem: 'Choose where on the body the mark is, or tap the outline.' };
    if (!description.trim()) {
      return {
        problem: 'Describe the mark: its size, colour and shape, and what the child said about it.',
      };
    }
    return { mark: { side, x: at.x, y: at.y, type, description: description.trim() } };
  };

  const addMark = (mark: BodyMapMark) => {
    onChange([...marks, mark]);
    setSaid(`Mark ${marks.length + 1} added: ${describeMark(mark)}.`);
    setProblem(null);
    setDescription('');
    setPlace('');
    setTapped(null);
  };

  const add = () => {
    const p = pending();
    if ('problem' in p) setProblem(p.problem);
    else addMark(p.mark);
  };

  useImperativeHandle(ref, () => ({
    settle: () => {
      // Nothing begun: nothing to add.
      if (place === '' && !description.trim()) return { added: null, problem: null };
      const p = pending();
      if ('problem' in p) {
        return {
          added: null,
          problem: `A mark on the body map is not added yet. ${p.problem} Then press “Add mark”, or clear its place and description.`,
        };
      }
      addMark(p.mark);
      return { added: p.mark, problem: null };
    },
  }));

  const remove = (i: number) => {
    onChange(marks.filter((_, j) => j !== i));
    setSaid(`Mark ${i + 1} removed.`);
  };

  // Folded away until wanted; open while it holds marks or one being placed.
  const begun = marks.length > 0 || place !== '' || description.trim() !== '';
  return (
    <details className="optional-section" open={begun ? true : undefined}>
      <summary>
        Body map <span className="muted">(optional)</span>
        {marks.length > 0 && (
          <span className="muted">
            {' '}
            ({marks.length} {marks.length === 1 ? 'mark' : 'marks'})
          </span>
        )}
      </summary>
      <fieldset className="fieldset stack">
        <legend className="visually-hidden">Body map</legend>
        <p className="hint" id={id('hint')}>
          Record only what you can see or were shown. Never ask a child to undress or photograph an
          injury. Tap the outline where the mark is, or choose the place from the list.
        </p>
        <Figures marks={marks} onPoint={onPoint} pending={tapped} />
        {marks.length > 0 && (
          <ol className="body-map-marks">
            {marks.map((m, i) => (
              <li key={i}>
                <span>
                  <strong>{describeMark(m)}</strong>: {m.description}
                </span>{' '}
                <Button variant="quiet" onPress={() => remove(i)}>
                  Remove mark {i + 1}
                </Button>
              </li>
            ))}
          </ol>
        )}
        <div className="field-row">
          <Select
            id={id('side')}
            label="Side of the body"
            value={side}
            onChange={(value) => {
              setSide(value as BodyMapSide);
              if (place === TAPPED) setPlace('');
            }}
          >
            {BODY_MAP_SIDES.map((s) => (
              <option key={s} value={s}>
                {SIDE_LABEL[s]}
              </option>
            ))}
          </Select>
          <Select id={id('place')} label="Place on the body" value={place} onChange={setPlace}>
            <option value="">Choose a place</option>
            {tapped && tapped.side === side && (
              <option value={TAPPED}>
                Where I tapped (near {nearestPlace(side, tapped.x, tapped.y).label})
              </option>
            )}
            {places.map((p) => (
              <option key={p.key} value={p.key}>
                {p.label}
              </option>
            ))}
          </Select>
          <Select
            id={id('type')}
            label="Type of mark"
            value={type}
            onChange={(value) => setType(value as BodyMarkType)}
          >
            {BODY_MARK_TYPES.map((t) => (
              <option key={t} value={t}>
                {TYPE_LABEL[t]}
              </option>
            ))}
          </Select>
        </div>
        <TextField
          id={id('description')}
          {...(name ? { name } : {})}
          label="Description of the mark"
          maxLength={500}
          value={description}
          onChange={setDescription}
          autoComplete="off"
        />
        {problem && (
          <p className="field-error" role="alert">
            {problem}
          </p>
        )}
        <div>
          <Button onPress={add}>Add mark</Button>
        </div>
        <p role="status" className="visually-hidden">
          {said}
        </p>
      </fieldset>
    </details>
  );
}
