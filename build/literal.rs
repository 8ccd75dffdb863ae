//! A value as the Rust expression that builds it with static fields: a
//! struct is `Name { field: value, }`, a string a string literal (a
//! `&'static str`), a list `&[...]` (a `&'static [T]`), a map
//! `Map(&[(key, value), ...])` in key order, an enum variant `Type::Variant`.
//! A serde `Serializer`, so the table types need no hand-written code.

use std::fmt::{self, Display, Write as _};

use serde::ser::{self, Serialize};

pub fn to_rust<T: Serialize>(value: &T) -> Result<String, Error> {
    let mut out = Rust { out: String::new() };
    value.serialize(&mut out)?;
    out.out.push('\n');
    Ok(out.out)
}

#[derive(Debug)]
pub struct Error(String);

impl Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: Display>(msg: T) -> Self {
        Self(msg.to_string())
    }
}

fn unsupported(what: &str) -> Error {
    Error(format!(
        "a table type uses {what}, which has no static form"
    ))
}

struct Rust {
    out: String,
}

impl Rust {
    fn push(&mut self, text: impl Display) -> Result<(), Error> {
        write!(self.out, "{text}").map_err(|e| Error(e.to_string()))
    }

    /// `<open><value>)`: a newtype struct or variant, `open` naming it up to its `(`.
    fn wrap<T: ?Sized + Serialize>(&mut self, open: impl Display, value: &T) -> Result<(), Error> {
        self.push(open)?;
        value.serialize(&mut *self)?;
        self.push(")")
    }
}

/// A list, map or struct: items then the closing text.
struct Items<'a> {
    rust: &'a mut Rust,
    close: &'static str,
}

/// `fn name(self, v: T)` that writes `v` as it displays, for each `name: T`.
macro_rules! as_displayed {
    ($($name:ident: $t:ty),*) => {$(
        fn $name(self, v: $t) -> Result<(), Error> {
            self.push(v)
        }
    )*};
}

impl<'a> ser::Serializer for &'a mut Rust {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Items<'a>;
    type SerializeTuple = Items<'a>;
    type SerializeTupleStruct = ser::Impossible<(), Error>;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = Items<'a>;
    type SerializeStruct = Items<'a>;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    // Booleans and integers read the same in Rust as they display.
    as_displayed!(
        serialize_bool: bool,
        serialize_i8: i8,
        serialize_i16: i16,
        serialize_i32: i32,
        serialize_i64: i64,
        serialize_u8: u8,
        serialize_u16: u16,
        serialize_u32: u32,
        serialize_u64: u64
    );
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.push(format_args!("{v:?}_f32"))
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        // `{:?}` round-trips exactly and always reads as a float literal.
        self.push(format_args!("{v:?}_f64"))
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.push(format_args!("{v:?}"))
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        // `{:?}` of a `str` is a valid Rust string literal.
        self.push(format_args!("{v:?}"))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Error> {
        Err(unsupported("bytes"))
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.push("None")
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Error> {
        self.push("Some(")?;
        value.serialize(&mut *self)?;
        self.push(")")
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.push("()")
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<(), Error> {
        self.push(name)
    }
    fn serialize_unit_variant(
        self,
        name: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.push(format_args!("{name}::{variant}"))
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.wrap(format_args!("{name}("), value)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.wrap(format_args!("{name}::{variant}("), value)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Items<'a>, Error> {
        self.push("&[")?;
        Ok(Items {
            rust: self,
            close: "]",
        })
    }
    fn serialize_tuple(self, _: usize) -> Result<Items<'a>, Error> {
        self.push("(")?;
        Ok(Items {
            rust: self,
            close: ")",
        })
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(unsupported("a tuple struct"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(unsupported("a tuple variant"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Items<'a>, Error> {
        self.push("Map(&[")?;
        Ok(Items {
            rust: self,
            close: "])",
        })
    }
    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Items<'a>, Error> {
        self.push(format_args!("{name} {{"))?;
        Ok(Items {
            rust: self,
            close: "}",
        })
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(unsupported("a struct variant"))
    }
}

impl Items<'_> {
    fn item<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.rust)?;
        self.rust.push(",")
    }
    fn close(self) -> Result<(), Error> {
        self.rust.push(self.close)
    }
}

/// A list and a tuple are both `&[item, ...]`.
macro_rules! items {
    ($($serialize:ident),*) => {$(
        impl ser::$serialize for Items<'_> {
            type Ok = ();
            type Error = Error;
            fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
                self.item(value)
            }
            fn end(self) -> Result<(), Error> {
                self.close()
            }
        }
    )*};
}

items!(SerializeSeq, SerializeTuple);

impl ser::SerializeMap for Items<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), Error> {
        self.rust.push("(")?;
        key.serialize(&mut *self.rust)?;
        self.rust.push(", ")
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.rust)?;
        self.rust.push("),")
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeStruct for Items<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.rust.push(format_args!("{key}: "))?;
        self.item(value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}
