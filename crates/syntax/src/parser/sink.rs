//! Replays parser events over the full token list to build the green tree.

use rowan::{GreenNode, GreenNodeBuilder};

use super::Event;
use crate::lexer::Token;
use crate::SyntaxKind;

/// Builds the tree. Trivia between tokens go to the innermost node open at
/// that point, except that trivia before a node's first token stay outside
/// it, so nodes begin and end at significant tokens (the root excepted).
pub(crate) fn build_tree(src: &str, tokens: &[Token], mut events: Vec<Event>) -> GreenNode {
    let mut builder = GreenNodeBuilder::new();
    let mut token_idx = 0usize;
    let mut offset = 0usize;
    let mut parents: Vec<SyntaxKind> = Vec::new();
    let mut depth = 0usize;

    let eat_trivia = |builder: &mut GreenNodeBuilder, token_idx: &mut usize, offset: &mut usize| {
        while let Some(t) = tokens.get(*token_idx) {
            if !t.kind.is_trivia() {
                break;
            }
            let end = *offset + t.len as usize;
            builder.token(t.kind.into(), &src[*offset..end]);
            *offset = end;
            *token_idx += 1;
        }
    };

    for i in 0..events.len() {
        match std::mem::replace(&mut events[i], Event::Tombstone) {
            Event::Start { kind, forward_parent } => {
                // Collect the chain of forward parents: the outermost opens first.
                parents.push(kind);
                let mut idx = i;
                let mut fp = forward_parent;
                while let Some(delta) = fp {
                    idx += delta as usize;
                    fp = match std::mem::replace(&mut events[idx], Event::Tombstone) {
                        Event::Start { kind, forward_parent } => {
                            parents.push(kind);
                            forward_parent
                        }
                        _ => unreachable!("forward parent points at a start event"),
                    };
                }
                for kind in parents.drain(..).rev() {
                    if depth > 0 {
                        eat_trivia(&mut builder, &mut token_idx, &mut offset);
                    }
                    builder.start_node(kind.into());
                    depth += 1;
                }
            }
            Event::Finish => {
                depth -= 1;
                if depth == 0 {
                    // The root takes whatever trivia is left.
                    eat_trivia(&mut builder, &mut token_idx, &mut offset);
                }
                builder.finish_node();
            }
            Event::Token => {
                eat_trivia(&mut builder, &mut token_idx, &mut offset);
                let t = tokens[token_idx];
                let end = offset + t.len as usize;
                builder.token(t.kind.into(), &src[offset..end]);
                offset = end;
                token_idx += 1;
            }
            Event::Tombstone => {}
        }
    }
    builder.finish()
}
