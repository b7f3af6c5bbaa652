'use strict';

/** A to-do list kept in memory. */
class TodoList {
  constructor() {
    this.items = [];
    this.nextId = 1;
  }

  add(title) {
    if (typeof title !== 'string' || title.trim() === '') throw new Error('title must be a non-empty string');
    const item = { id: this.nextId++, title: title.trim(), done: false };
    this.items.push(item);
    return item;
  }

  complete(id) {
    const item = this.items.find((i) => i.id === id);
    if (!item) throw new Error(`no item ${id}`);
    item.done = true;
    return item;
  }

  open() {
    return this.items.filter((i) => !i.done);
  }
}

module.exports = { TodoList };
