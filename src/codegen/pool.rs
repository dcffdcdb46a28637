//! The constant pool: vector constants as memory operands.
//!
//! Cranelift lowers a `vconst` to a load of its own (`movdqu xmm,
//! [rip+c]`), never folded into the instruction that uses it, while a
//! plain `load` used once, right before its use, becomes that
//! instruction's memory operand (`vpmulld xmm, xmm, [base+c]`). So
//! [`fold_vector_constants`] rewrites each use of a `vconst` into a load
//! from [`ConstTable`] (one per use, just before it) off one base register
//! loaded at the function's entry: two instructions per function for one
//! per constant use. The maths
//! routines (`vmath`) load their constants from the same table directly.
//!
//! Cranelift sinks a load only when every value computed from it is used
//! once (it could otherwise be duplicated): one value used twice, anywhere
//! downstream, keeps every load of its tree in a register of its own (see
//! `lanes::narrow_store`, which packs with a zero register rather than
//! with its own halves twice for that reason).

use cranelift_codegen::cursor::{Cursor, FuncCursor};
use cranelift_codegen::ir::{
    types, Block, Function, Inst, InstBuilder, InstructionData, MemFlagsData, Opcode, Value,
};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

/// Constant uses a function needs before it gets a base register: the
/// base costs two instructions (the address of its cell, the load), each
/// use saves one.
const MIN_USES: usize = 3;

/// Rewrites the `vconst`s of `func` into loads from the pool where that
/// saves instructions (see the module doc). The values and the order of
/// every other instruction are unchanged.
pub fn fold_vector_constants(func: &mut Function) {
    // The frontend's SSA construction leaves aliases (a removed block
    // parameter names another value): use the values themselves, so every
    // use of a constant is counted as one.
    func.dfg.resolve_all_aliases();
    let blocks: Vec<Block> = func.layout.blocks().collect();
    let consts: HashMap<Value, i32> = blocks
        .iter()
        .flat_map(|&b| func.layout.block_insts(b))
        .filter_map(|inst| {
            let offset = pooled(func, inst)?;
            Some((func.dfg.first_result(inst), offset))
        })
        .collect();
    if consts.is_empty() {
        return;
    }
    // Every use in a plain argument, with its load right before it.
    let sites: Vec<(Inst, usize, Value)> = blocks
        .iter()
        .flat_map(|&b| func.layout.block_insts(b))
        .flat_map(|inst| {
            let args = func.dfg.inst_args(inst).iter().enumerate();
            args.filter(|(_, arg)| consts.contains_key(arg))
                .map(move |(k, &arg)| (inst, k, arg))
                .collect::<Vec<_>>()
        })
        .collect();
    if sites.len() < MIN_USES {
        return;
    }
    let mut uses = use_counts(func);
    let flags = MemFlagsData::new()
        .with_notrap()
        .with_readonly()
        .with_aligned();
    // The base, once, at the top of the entry block, which dominates every
    // use; a loop body that needs a register for it reloads it at worst.
    let Some(first) = blocks.first().and_then(|&b| func.layout.first_inst(b)) else {
        return;
    };
    let mut cursor = FuncCursor::new(func).at_inst(first);
    let cell = cursor
        .ins()
        .iconst(types::I64, ConstTable::base_cell() as i64);
    let base = cursor.ins().load(types::I64, flags, cell, 0);
    for (user, k, value) in sites {
        let ty = cursor.func.dfg.value_type(value);
        cursor.goto_inst(user);
        let loaded = cursor.ins().load(ty, flags, base, consts[&value]);
        cursor.func.dfg.inst_args_mut(user)[k] = loaded;
        if let Some(n) = uses.get_mut(&value) {
            *n -= 1;
        }
    }
    // A constant with no use left goes; one still used (as a branch
    // argument, or where its block had too few) stays as it was.
    for &value in consts.keys() {
        if uses.get(&value).copied().unwrap_or(0) == 0 {
            if let Some(inst) = func.dfg.value_def(value).inst() {
                func.layout.remove_inst(inst);
            }
        }
    }
}

/// How many times each value is used, as an instruction's argument or a
/// branch's block argument.
fn use_counts(func: &Function) -> HashMap<Value, usize> {
    let mut uses = HashMap::new();
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            for &arg in func.dfg.inst_args(inst) {
                *uses.entry(arg).or_insert(0) += 1;
            }
            for dest in func.dfg.insts[inst]
                .branch_destination(&func.dfg.jump_tables, &func.dfg.exception_tables)
            {
                for arg in dest.args(&func.dfg.value_lists) {
                    if let Some(v) = arg.as_value() {
                        *uses.entry(v).or_insert(0) += 1;
                    }
                }
            }
        }
    }
    uses
}

/// A `vconst` of 16 bytes with a slot in the pool: its offset there.
fn pooled(func: &Function, inst: Inst) -> Option<i32> {
    let InstructionData::UnaryConst {
        opcode: Opcode::Vconst,
        constant_handle,
    } = func.dfg.insts[inst]
    else {
        return None;
    };
    let bytes: [u8; 16] = func
        .dfg
        .constants
        .get(constant_handle)
        .as_slice()
        .try_into()
        .ok()?;
    let bits = u128::from_le_bytes(bytes);
    // Cranelift builds all-ones in a register (`pcmpeqd`). Zero, which it
    // builds with a `pxor` before each use, is pooled: as the second
    // operand (a pack's upper half) the load folds away, so the gang saves
    // an instruction; elsewhere it costs one, as the `pxor` did.
    if bits == u128::MAX {
        return None;
    }
    ConstTable::offset(bits)
}

/// The vector constants of every compiled function, process-wide and
/// append-only: the maths routines use a few hundred distinct values in
/// all, a kernel's literals and shuffle masks a few more each, so the
/// table fills only in a process that compiles thousands of kernels with
/// distinct constants (then further constants stay `vconst`s). Entries are
/// written before the code that reads them is published, under the lock,
/// and never change afterwards.
pub(super) struct ConstTable {
    lanes: &'static [Slot],
    index: Mutex<HashMap<u128, usize>>,
}

const CONST_TABLE_LEN: usize = 4096;

/// One 16-byte constant, aligned for vector loads.
#[repr(C, align(16))]
struct Slot([AtomicU64; 2]);

impl ConstTable {
    fn get() -> &'static ConstTable {
        static TABLE: OnceLock<ConstTable> = OnceLock::new();
        TABLE.get_or_init(|| {
            let lanes: Vec<Slot> = (0..CONST_TABLE_LEN)
                .map(|_| Slot([AtomicU64::new(0), AtomicU64::new(0)]))
                .collect();
            ConstTable {
                lanes: Vec::leak(lanes),
                index: Mutex::new(HashMap::new()),
            }
        })
    }

    /// The address of a cell holding the table's address.
    pub(super) fn base_cell() -> usize {
        static BASE: OnceLock<usize> = OnceLock::new();
        let base = BASE.get_or_init(|| ConstTable::get().lanes.as_ptr() as usize);
        base as *const usize as usize
    }

    /// The offset from [`ConstTable::base`] of a slot holding `bits`, or
    /// `None` when the table is full.
    pub(super) fn offset(bits: u128) -> Option<i32> {
        let table = ConstTable::get();
        let mut index = table.index.lock().unwrap_or_else(|e| e.into_inner());
        let next = index.len();
        let slot = *index.entry(bits).or_insert(next);
        let cell = table.lanes.get(slot)?;
        if slot == next {
            cell.0[0].store(bits as u64, Ordering::Relaxed);
            cell.0[1].store((bits >> 64) as u64, Ordering::Relaxed);
        }
        i32::try_from(slot * 16).ok()
    }
}
