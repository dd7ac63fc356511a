// The PIN pad's logic, apart from the screen: six digits at most, keyboard
// or mouse, cleared on close. The PIN is never shown, only dots.
export const PIN_LENGTH = 6;

export function pressDigit(pin: string, digit: string): string {
  if (!/^[0-9]$/.test(digit) || pin.length >= PIN_LENGTH) return pin;
  return pin + digit;
}

export function backspace(pin: string): string {
  return pin.slice(0, -1);
}

export function dots(pin: string): string {
  return "●".repeat(pin.length) + "○".repeat(PIN_LENGTH - pin.length);
}

export function complete(pin: string): boolean {
  return pin.length === PIN_LENGTH;
}
