"""Held-out edit answers: written before the edit rules were tuned on ``edit_shapes.py`` and never used to tune
them. Same scoring (``bench/edit_apply.py``); reported separately.

Each case is one workspace file, one model answer written the way chat models answer, the CLI arguments, and the
expected file text (or None: the answer must be refused).
"""

from __future__ import annotations

from edit_shapes import Shape

PY = '''"""Shopping cart."""

from decimal import Decimal


class Cart:
    """A cart of items."""

    def __init__(self):
        self.items = []

    def add(self, name, price, qty=1):
        self.items.append((name, Decimal(price), qty))

    def total(self):
        return sum(p * q for _, p, q in self.items)


def discount(total, percent):
    raise NotImplementedError


def fmt(amount):
    return f"${amount:.2f}"
'''

TS = """import { Item } from "./item";

/** A cart of items. */
export class Cart {
  private items: Item[] = [];

  add(item: Item): void {
    this.items.push(item);
  }

  total(): number {
    return this.items.reduce((sum, i) => sum + i.price * i.qty, 0);
  }
}

export function discount(total: number, percent: number): number {
  throw new Error("not implemented");
}

export function fmt(amount: number): string {
  return `$${amount.toFixed(2)}`;
}
"""

GO = """package cart

import "fmt"

// Cart holds items.
type Cart struct {
\tItems []Item
}

// Total sums price times quantity.
func (c *Cart) Total() float64 {
\tsum := 0.0
\tfor _, it := range c.Items {
\t\tsum += it.Price * float64(it.Qty)
\t}
\treturn sum
}

func Discount(total float64, percent float64) float64 {
\tpanic("not implemented")
}

func Fmt(amount float64) string {
\treturn fmt.Sprintf("$%.2f", amount)
}
"""

RS = """use std::fmt;

/// A cart of items.
pub struct Cart {
    pub items: Vec<Item>,
}

impl Cart {
    pub fn new() -> Self {
        Cart { items: Vec::new() }
    }

    pub fn total(&self) -> f64 {
        self.items.iter().map(|i| i.price * i.qty as f64).sum()
    }
}

pub fn discount(total: f64, percent: f64) -> f64 {
    todo!()
}

pub fn fmt_amount(amount: f64) -> String {
    format!("${:.2}", amount)
}
"""

JAVA = """package shop;

import java.util.ArrayList;
import java.util.List;

/** A cart of items. */
public class Cart {
    private final List<Item> items = new ArrayList<>();

    public void add(Item item) {
        items.add(item);
    }

    public double total() {
        double sum = 0;
        for (Item i : items) {
            sum += i.price * i.qty;
        }
        return sum;
    }

    public static double discount(double total, double percent) {
        throw new UnsupportedOperationException();
    }
}
"""

P_PY, P_TS, P_GO, P_RS, P_JAVA = (
    "shop/cart.py",
    "src/cart.ts",
    "cart/cart.go",
    "src/cart.rs",
    "src/main/java/shop/Cart.java",
)


def _c(cid: str, path: str, base: str, answer: str, args: tuple[str, ...], change: tuple[str, str] | None) -> Shape:
    expected = None if change is None else base.replace(change[0], change[1], 1)
    if change is not None:
        assert change[0] in base, cid
    return Shape(cid, path, base, answer, args, expected)


CASES: list[Shape] = [
    # ---- Python ----
    _c(
        "h-py-sr",
        P_PY,
        PY,
        "The total ignores nothing wrong, but `fmt` should round half up. Change:\n\nshop/cart.py\n```python\n"
        '<<<<<<< SEARCH\n    return f"${amount:.2f}"\n=======\n    return f"${amount:,.2f}"\n>>>>>>> REPLACE\n```\n',
        (),
        ('    return f"${amount:.2f}"', '    return f"${amount:,.2f}"'),
    ),
    _c(
        "h-py-path-one-func",
        P_PY,
        PY,
        "Here's the implementation of `discount`:\n\n**shop/cart.py**\n```python\ndef discount(total, percent):\n"
        '    if not 0 <= percent <= 100:\n        raise ValueError("percent must be between 0 and 100")\n'
        "    return total * (100 - percent) / 100\n```\n\nThis validates the percentage first.",
        (),
        (
            "    raise NotImplementedError\n",
            '    if not 0 <= percent <= 100:\n        raise ValueError("percent must be between 0 and 100")\n'
            "    return total * (100 - percent) / 100\n",
        ),
    ),
    _c(
        "h-py-method-in-class-elided",
        P_PY,
        PY,
        "```python\nclass Cart:\n    # ... other methods unchanged ...\n\n    def total(self):\n"
        "        return sum(p * q for _, p, q in self.items if q > 0)\n```\n",
        ("--target", P_PY, "--symbol", "Cart.total"),
        ("for _, p, q in self.items)", "for _, p, q in self.items if q > 0)"),
    ),
    _c(
        "h-py-body-only-stub",
        P_PY,
        PY,
        "You can compute it like this:\n\n```python\n    return total * (1 - percent / 100)\n```\n",
        ("--target", P_PY, "--symbol", "discount"),
        ("    raise NotImplementedError\n", "    return total * (1 - percent / 100)\n"),
    ),
    _c(
        "h-py-repl-example",
        P_PY,
        PY,
        '```python\ndef fmt(amount):\n    return f"${amount:,.2f}"\n```\n\nExample:\n\n```python\n>>> fmt(1234.5)\n'
        "'$1,234.50'\n```\n",
        ("--target", P_PY, "--symbol", "fmt"),
        ('    return f"${amount:.2f}"', '    return f"${amount:,.2f}"'),
    ),
    _c(
        "h-py-whole-file-drops-class",
        P_PY,
        PY,
        'shop/cart.py\n```python\n"""Shopping cart."""\n\nfrom decimal import Decimal\n\n\n'
        "def discount(total, percent):\n    return total * (100 - percent) / 100\n\n\n"
        'def fmt(amount):\n    return f"${amount:.2f}"\n```\n',
        (),
        (
            "    raise NotImplementedError\n",
            "    return total * (100 - percent) / 100\n",
        ),
    ),
    _c(
        "h-py-already-applied",
        P_PY,
        PY,
        "shop/cart.py\n```python\n<<<<<<< SEARCH\n    def __init__(self):\n        self.items = []\n=======\n"
        "    def __init__(self):\n        self.items = []\n>>>>>>> REPLACE\n```\n",
        (),
        None,
    ),
    _c(
        "h-py-hallucinated-search",
        P_PY,
        PY,
        "shop/cart.py\n```python\n<<<<<<< SEARCH\n    def remove(self, name):\n        pass\n=======\n"
        "    def remove(self, name):\n        self.items = [i for i in self.items if i[0] != name]\n"
        ">>>>>>> REPLACE\n```\n",
        (),
        None,
    ),
    # ---- TypeScript ----
    _c(
        "h-ts-path-one-func",
        P_TS,
        TS,
        "Updated `src/cart.ts`:\n\n```typescript\nexport function discount(total: number, percent: number): number {\n"
        "  return total * (1 - percent / 100);\n}\n```\n",
        (),
        ('  throw new Error("not implemented");\n', "  return total * (1 - percent / 100);\n"),
    ),
    _c(
        "h-ts-method-symbol",
        P_TS,
        TS,
        "```ts\n  total(): number {\n    return this.items.reduce((sum, i) => sum + i.price * (i.qty ?? 1), 0);\n"
        "  }\n```\n",
        ("--target", P_TS, "--symbol", "Cart.total"),
        ("sum + i.price * i.qty, 0)", "sum + i.price * (i.qty ?? 1), 0)"),
    ),
    _c(
        "h-ts-rest-unchanged",
        P_TS,
        TS,
        'src/cart.ts\n```ts\nimport { Item } from "./item";\n\n// rest unchanged\n\n'
        "export function fmt(amount: number): string {\n  return `$${amount.toFixed(2)} USD`;\n}\n```\n",
        (),
        ("`$${amount.toFixed(2)}`", "`$${amount.toFixed(2)} USD`"),
    ),
    _c(
        "h-ts-diff",
        P_TS,
        TS,
        "```diff\n--- a/src/cart.ts\n+++ b/src/cart.ts\n@@ -6,5 +6,6 @@\n   add(item: Item): void {\n"
        "+    if (item.qty <= 0) return;\n     this.items.push(item);\n   }\n```\n",
        (),
        ("  add(item: Item): void {\n", "  add(item: Item): void {\n    if (item.qty <= 0) return;\n"),
    ),
    _c(
        "h-ts-usage-snippet",
        P_TS,
        TS,
        '```ts\nexport function fmt(amount: number): string {\n  return `$${amount.toFixed(2)}`.replace("$-", "-$");\n'
        "}\n```\n\nUsage:\n\n```ts\nconsole.log(fmt(-3));\n```\n",
        ("--target", P_TS, "--symbol", "fmt"),
        ("`$${amount.toFixed(2)}`;", '`$${amount.toFixed(2)}`.replace("$-", "-$");'),
    ),
    _c(
        "h-ts-unknown-elision",
        P_TS,
        TS,
        'src/cart.ts\n```ts\nimport { Item } from "./item";\n\n// (snip)\n\nexport function extra(): void {}\n```\n',
        (),
        None,
    ),
    _c(
        "h-ts-ambiguous-search",
        P_TS,
        TS,
        "src/cart.ts\n```ts\n<<<<<<< SEARCH\n  }\n=======\n  }\n\n  clear(): void {\n    this.items = [];\n  }\n"
        ">>>>>>> REPLACE\n```\n",
        (),
        None,
    ),
    _c(
        "h-ts-body-only",
        P_TS,
        TS,
        "Replace the body with:\n\n```ts\n  return Math.max(0, total - (total * percent) / 100);\n```\n",
        ("--target", P_TS, "--symbol", "discount"),
        ('  throw new Error("not implemented");\n', "  return Math.max(0, total - (total * percent) / 100);\n"),
    ),
    # ---- Go ----
    _c(
        "h-go-receiver-symbol",
        P_GO,
        GO,
        "```go\nfunc (c *Cart) Total() float64 {\n\tsum := 0.0\n\tfor _, it := range c.Items {\n"
        "\t\tif it.Qty > 0 {\n\t\t\tsum += it.Price * float64(it.Qty)\n\t\t}\n\t}\n\treturn sum\n}\n```\n",
        ("--target", P_GO, "--symbol", "Cart.Total"),
        (
            "\t\tsum += it.Price * float64(it.Qty)\n",
            "\t\tif it.Qty > 0 {\n\t\t\tsum += it.Price * float64(it.Qty)\n\t\t}\n",
        ),
    ),
    _c(
        "h-go-path-one-func",
        P_GO,
        GO,
        "cart/cart.go\n```go\nfunc Discount(total float64, percent float64) float64 {\n"
        "\treturn total * (1 - percent/100)\n}\n```\n",
        (),
        ('\tpanic("not implemented")\n', "\treturn total * (1 - percent/100)\n"),
    ),
    _c(
        "h-go-elided-file",
        P_GO,
        GO,
        "cart/cart.go\n```go\npackage cart\n\n// ... existing code ...\n\nfunc Fmt(amount float64) string {\n"
        '\treturn fmt.Sprintf("$%.2f USD", amount)\n}\n```\n',
        (),
        ('"$%.2f", amount', '"$%.2f USD", amount'),
    ),
    _c(
        "h-go-sr",
        P_GO,
        GO,
        'cart/cart.go\n```go\n<<<<<<< SEARCH\n\treturn fmt.Sprintf("$%.2f", amount)\n=======\n'
        '\treturn fmt.Sprintf("$%.2f", math.Round(amount*100)/100)\n>>>>>>> REPLACE\n```\n',
        (),
        ('"$%.2f", amount)', '"$%.2f", math.Round(amount*100)/100)'),
    ),
    _c(
        "h-go-shell-block",
        P_GO,
        GO,
        'cart/cart.go\n```go\n<<<<<<< SEARCH\n\tpanic("not implemented")\n=======\n\treturn total - total*percent/100\n'
        ">>>>>>> REPLACE\n```\n\nThen run:\n\n```bash\ngo test ./...\n```\n",
        (),
        ('\tpanic("not implemented")\n', "\treturn total - total*percent/100\n"),
    ),
    _c(
        "h-go-rest-of-file-dropped",
        P_GO,
        GO,
        'cart/cart.go\n```go\npackage cart\n\nimport "fmt"\n\nfunc Fmt(amount float64) string {\n'
        '\treturn fmt.Sprintf("%.2f", amount)\n}\n\n// other functions unchanged\n```\n',
        (),
        ('"$%.2f", amount', '"%.2f", amount'),
    ),
    _c(
        "h-go-body-only",
        P_GO,
        GO,
        "The body should be:\n\n```go\n\treturn total * (100 - percent) / 100\n```\n",
        ("--target", P_GO, "--symbol", "Discount"),
        ('\tpanic("not implemented")\n', "\treturn total * (100 - percent) / 100\n"),
    ),
    _c(
        "h-go-wrong-receiver",
        P_GO,
        GO,
        "```go\nfunc (c *Cart) Size() int {\n\treturn len(c.Items)\n}\n```\n",
        ("--target", P_GO, "--symbol", "Cart.Total"),
        None,
    ),
    # ---- Rust ----
    _c(
        "h-rs-impl-method",
        P_RS,
        RS,
        "```rust\n    pub fn total(&self) -> f64 {\n"
        "        self.items.iter().map(|i| i.price * i.qty as f64).sum::<f64>()\n"
        "    }\n```\n",
        ("--target", P_RS, "--symbol", "Cart.total"),
        (".sum()\n", ".sum::<f64>()\n"),
    ),
    _c(
        "h-rs-impl-wrapper",
        P_RS,
        RS,
        "```rust\nimpl Cart {\n    // ... existing code ...\n\n    pub fn total(&self) -> f64 {\n"
        "        self.items.iter().filter(|i| i.qty > 0).map(|i| i.price * i.qty as f64).sum()\n    }\n}\n```\n",
        ("--target", P_RS, "--symbol", "Cart.total"),
        ("self.items.iter().map(", "self.items.iter().filter(|i| i.qty > 0).map("),
    ),
    _c(
        "h-rs-path-one-func",
        P_RS,
        RS,
        "`src/cart.rs`:\n\n```rust\npub fn discount(total: f64, percent: f64) -> f64 {\n"
        "    total * (1.0 - percent / 100.0)\n}\n```\n",
        (),
        ("    todo!()\n", "    total * (1.0 - percent / 100.0)\n"),
    ),
    _c(
        "h-rs-diff",
        P_RS,
        RS,
        "```diff\n--- a/src/cart.rs\n+++ b/src/cart.rs\n@@ -22,3 +22,3 @@\n"
        " pub fn fmt_amount(amount: f64) -> String {\n"
        '-    format!("${:.2}", amount)\n+    format!("${:.2} USD", amount)\n }\n```\n',
        (),
        ('format!("${:.2}", amount)', 'format!("${:.2} USD", amount)'),
    ),
    _c(
        "h-rs-rest-unchanged",
        P_RS,
        RS,
        "src/cart.rs\n```rust\nuse std::fmt;\n\n// rest unchanged\n\npub fn fmt_amount(amount: f64) -> String {\n"
        '    format!("{:.2}", amount)\n}\n```\n',
        (),
        ('format!("${:.2}", amount)', 'format!("{:.2}", amount)'),
    ),
    _c(
        "h-rs-body-only",
        P_RS,
        RS,
        "Implement it as:\n\n```rust\n    total * (100.0 - percent) / 100.0\n```\n",
        ("--target", P_RS, "--symbol", "discount"),
        ("    todo!()\n", "    total * (100.0 - percent) / 100.0\n"),
    ),
    _c(
        "h-rs-whole-file-missing-struct",
        P_RS,
        RS,
        "src/cart.rs\n```rust\nuse std::fmt;\n\npub fn discount(total: f64, percent: f64) -> f64 {\n"
        "    total * (1.0 - percent / 100.0)\n}\n\npub fn fmt_amount(amount: f64) -> String {\n"
        '    format!("${:.2}", amount)\n}\n```\n',
        (),
        ("    todo!()\n", "    total * (1.0 - percent / 100.0)\n"),
    ),
    _c(
        "h-rs-search-elided-unknown",
        P_RS,
        RS,
        "src/cart.rs\n```rust\n<<<<<<< SEARCH\nimpl Cart {\n    // (snip)\n}\n=======\nimpl Cart {\n}\n"
        ">>>>>>> REPLACE\n```\n",
        (),
        None,
    ),
    # ---- Java ----
    _c(
        "h-java-method-symbol",
        P_JAVA,
        JAVA,
        "```java\n    public double total() {\n        double sum = 0;\n        for (Item i : items) {\n"
        "            sum += i.price * Math.max(0, i.qty);\n        }\n        return sum;\n    }\n```\n",
        ("--target", P_JAVA, "--symbol", "Cart.total"),
        ("sum += i.price * i.qty;", "sum += i.price * Math.max(0, i.qty);"),
    ),
    _c(
        "h-java-class-wrapper",
        P_JAVA,
        JAVA,
        "```java\npublic class Cart {\n    // ... existing code ...\n\n    public static double discount(double total, "
        "double percent) {\n        return total * (1 - percent / 100);\n    }\n}\n```\n",
        ("--target", P_JAVA, "--symbol", "Cart.discount"),
        ("        throw new UnsupportedOperationException();\n", "        return total * (1 - percent / 100);\n"),
    ),
    _c(
        "h-java-path-one-method",
        P_JAVA,
        JAVA,
        "src/main/java/shop/Cart.java\n```java\n    public void add(Item item) {\n"
        '        if (item == null) throw new IllegalArgumentException("item");\n        items.add(item);\n    }\n```\n',
        (),
        (
            "    public void add(Item item) {\n",
            '    public void add(Item item) {\n        if (item == null) throw new IllegalArgumentException("item");\n',
        ),
    ),
    _c(
        "h-java-sr",
        P_JAVA,
        JAVA,
        "src/main/java/shop/Cart.java\n```java\n<<<<<<< SEARCH\n        throw new UnsupportedOperationException();\n"
        "=======\n        return total - total * percent / 100;\n>>>>>>> REPLACE\n```\n",
        (),
        ("        throw new UnsupportedOperationException();\n", "        return total - total * percent / 100;\n"),
    ),
    _c(
        "h-java-whole-file-elided-unknown",
        P_JAVA,
        JAVA,
        "src/main/java/shop/Cart.java\n```java\npackage shop;\n\n/** A cart of items. */\npublic class Cart {\n"
        "    // fields as before\n    public void clear() {\n        items.clear();\n    }\n}\n```\n",
        (),
        None,
    ),
    _c(
        "h-java-body-only",
        P_JAVA,
        JAVA,
        "```java\n        return Math.max(0, total * (100 - percent) / 100);\n```\n",
        ("--target", P_JAVA, "--symbol", "Cart.discount"),
        (
            "        throw new UnsupportedOperationException();\n",
            "        return Math.max(0, total * (100 - percent) / 100);\n",
        ),
    ),
    _c(
        "h-java-already-applied-diff",
        P_JAVA,
        JAVA,
        "```diff\n--- a/src/main/java/shop/Cart.java\n+++ b/src/main/java/shop/Cart.java\n@@ -10,3 +10,3 @@\n"
        "     public void add(Item item) {\n-        itemz.add(item);\n+        items.add(item);\n     }\n```\n",
        (),
        None,
    ),
]
