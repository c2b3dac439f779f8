//! Colour themes. Colour never carries meaning alone: every styled distinction also has a
//! modifier (bold, underline, reversed) or a text marker, so monochrome reads the same.

use ratatui::style::{Color, Modifier, Style};

pub use crate::config::ThemeName;

/// Every style the views use, by meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub name: ThemeName,
    pub base: Style,
    pub title: Style,
    pub heading: Style,
    pub muted: Style,
    pub accent: Style,
    pub border: Style,
    pub border_focus: Style,
    pub selected: Style,
    /// Matched characters in search results.
    pub matched: Style,
    pub warn: Style,
    pub good: Style,
    pub bad: Style,
    pub key: Style,
    pub plot_point: Style,
    pub plot_line: Style,
    pub plot_null: Style,
}

impl Theme {
    pub fn new(name: ThemeName) -> Theme {
        let b = Modifier::BOLD;
        match name {
            ThemeName::Dark => Theme {
                name,
                base: Style::new().fg(Color::Gray),
                title: Style::new().fg(Color::Cyan).add_modifier(b),
                heading: Style::new().fg(Color::LightBlue).add_modifier(b),
                muted: Style::new().fg(Color::DarkGray),
                accent: Style::new().fg(Color::Cyan),
                border: Style::new().fg(Color::DarkGray),
                border_focus: Style::new().fg(Color::Cyan).add_modifier(b),
                selected: Style::new()
                    .bg(Color::Rgb(40, 60, 90))
                    .fg(Color::White)
                    .add_modifier(b),
                matched: Style::new()
                    .fg(Color::Yellow)
                    .add_modifier(b | Modifier::UNDERLINED),
                warn: Style::new().fg(Color::Yellow).add_modifier(b),
                good: Style::new().fg(Color::Green),
                bad: Style::new().fg(Color::LightRed),
                key: Style::new().fg(Color::Black).bg(Color::Gray),
                plot_point: Style::new().fg(Color::Yellow).add_modifier(b),
                plot_line: Style::new().fg(Color::Gray),
                plot_null: Style::new().fg(Color::LightRed),
            },
            ThemeName::Light => Theme {
                name,
                base: Style::new().fg(Color::Black),
                title: Style::new().fg(Color::Blue).add_modifier(b),
                heading: Style::new().fg(Color::Blue).add_modifier(b),
                muted: Style::new().fg(Color::DarkGray),
                accent: Style::new().fg(Color::Blue),
                border: Style::new().fg(Color::Gray),
                border_focus: Style::new().fg(Color::Blue).add_modifier(b),
                selected: Style::new()
                    .bg(Color::Rgb(200, 220, 250))
                    .fg(Color::Black)
                    .add_modifier(b),
                matched: Style::new()
                    .fg(Color::Magenta)
                    .add_modifier(b | Modifier::UNDERLINED),
                warn: Style::new().fg(Color::Rgb(150, 80, 0)).add_modifier(b),
                good: Style::new().fg(Color::Rgb(0, 110, 0)),
                bad: Style::new().fg(Color::Red),
                key: Style::new().fg(Color::White).bg(Color::DarkGray),
                plot_point: Style::new().fg(Color::Blue).add_modifier(b),
                plot_line: Style::new().fg(Color::Black),
                plot_null: Style::new().fg(Color::Red),
            },
            ThemeName::HighContrast => {
                // Bright colours only (ANSI 11 bright yellow, 15 bright white, 14 bright
                // cyan) on black, and never dim text: readable on a projector.
                let black = Color::Black;
                let white = Color::White;
                let yellow = Color::LightYellow;
                let cyan = Color::LightCyan;
                Theme {
                    name,
                    base: Style::new().fg(white).bg(black),
                    title: Style::new().fg(yellow).bg(black).add_modifier(b),
                    heading: Style::new().fg(yellow).add_modifier(b),
                    muted: Style::new().fg(white),
                    accent: Style::new().fg(cyan).add_modifier(b),
                    border: Style::new().fg(white),
                    border_focus: Style::new().fg(yellow).add_modifier(b),
                    selected: Style::new().fg(black).bg(yellow).add_modifier(b),
                    matched: Style::new()
                        .fg(black)
                        .bg(cyan)
                        .add_modifier(b | Modifier::UNDERLINED),
                    warn: Style::new().fg(yellow).add_modifier(b),
                    good: Style::new().fg(Color::LightGreen).add_modifier(b),
                    bad: Style::new().fg(Color::LightRed).add_modifier(b),
                    key: Style::new().fg(black).bg(white).add_modifier(b),
                    plot_point: Style::new().fg(yellow).add_modifier(b),
                    plot_line: Style::new().fg(white).add_modifier(b),
                    plot_null: Style::new().fg(cyan).add_modifier(b),
                }
            }
            ThemeName::Mono => {
                let n = Style::new();
                Theme {
                    name,
                    base: n,
                    title: n.add_modifier(b),
                    heading: n.add_modifier(b | Modifier::UNDERLINED),
                    // Never dim: muted text reads as plain text; meaning is carried by words and marks.
                    muted: n,
                    accent: n.add_modifier(b),
                    border: n,
                    border_focus: n.add_modifier(b),
                    selected: n.add_modifier(Modifier::REVERSED),
                    matched: n.add_modifier(b | Modifier::UNDERLINED),
                    warn: n.add_modifier(b),
                    good: n,
                    bad: n.add_modifier(b),
                    key: n.add_modifier(Modifier::REVERSED),
                    plot_point: n.add_modifier(b),
                    plot_line: n,
                    plot_null: n,
                }
            }
        }
    }
}
