// Interned strings: the columns hold small ids, the page gets the table once.

export class StringTable {
  readonly list: string[] = [];
  private readonly ids = new Map<string, number>();

  id(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.list.length;
      if (id > 0xffff) throw new RangeError('more than 65536 distinct names');
      this.list.push(text);
      this.ids.set(text, id);
    }
    return id;
  }
}
