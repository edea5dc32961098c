// A Durable Object's synchronous key-value storage through one typed declaration of its keys.

/**
 * `Keys` maps each key to the type of its value; a template-literal key (`mirror/${string}`)
 * declares a family of keys. Each object declares its keys once (its `keys.ts`), so a key's
 * spelling and its value's type cannot drift between the places that read and write it.
 */
export class TypedKv<Keys extends object> {
  constructor(private readonly kv: SyncKvStorage) {}

  get<K extends keyof Keys & string>(key: K): Keys[K] | undefined {
    return this.kv.get<Keys[K]>(key);
  }

  put<K extends keyof Keys & string>(key: K, value: Keys[K]): void {
    this.kv.put(key, value);
  }

  delete(key: keyof Keys & string): void {
    this.kv.delete(key);
  }

  /** The values of a key family, in key order. */
  values<P extends string>(prefix: P): Keys[keyof Keys & `${P}${string}`][] {
    return [...this.kv.list<Keys[keyof Keys & `${P}${string}`]>({ prefix })].map(([, v]) => v);
  }
}
