// A search-as-you-type picker over React Aria's ComboBox: the person types part of a name, the
// caller finds matches, and choosing one hands it back and empties the box for the next. The
// listbox says why it is empty (searching, nothing found, a failure) in the caller's words.
import type { ReactNode } from 'react';
import {
  ComboBox as AriaComboBox,
  FieldError,
  Input,
  Label,
  ListBox,
  ListBoxItem,
  Popover,
  Text,
  type Key,
} from 'react-aria-components';
import { useFormField } from './Form.tsx';

type Props<T extends { id: string }> = {
  label: ReactNode;
  hint?: ReactNode;
  /** The field's name in the form's submit state (its message, its focus). */
  name?: string;
  items: T[];
  /** How an item is read out and listed. */
  itemLabel: (item: T) => string;
  text: string;
  onTextChange: (text: string) => void;
  onChoose: (item: T) => void;
  /** What the open, empty list says. */
  emptyText: string;
};

export function ComboBox<T extends { id: string }>(p: Props<T>) {
  const { error, ref } = useFormField(p.name);
  const choose = (key: Key | null) => {
    if (key === null) return;
    const item = p.items.find((i) => i.id === key);
    if (item) p.onChoose(item);
  };
  return (
    <AriaComboBox
      className="field"
      items={p.items}
      inputValue={p.text}
      onInputChange={p.onTextChange}
      selectedKey={null}
      onSelectionChange={choose}
      menuTrigger="input"
      allowsEmptyCollection={p.text.trim() !== ''}
      isInvalid={Boolean(error)}
      validationBehavior="aria"
    >
      <Label className="field-label">{p.label}</Label>
      {p.hint && (
        <Text slot="description" className="hint">
          {p.hint}
        </Text>
      )}
      <Input ref={ref} className="input" />
      {error && <FieldError className="field-error">{error}</FieldError>}
      <Popover className="popover" placement="bottom start">
        <ListBox
          className="listbox"
          renderEmptyState={() => <p className="listbox-empty">{p.emptyText}</p>}
        >
          {(item: T) => (
            <ListBoxItem id={item.id} className="listbox-item" textValue={p.itemLabel(item)}>
              {p.itemLabel(item)}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </AriaComboBox>
  );
}
