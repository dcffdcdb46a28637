//! Kernel IR → Cranelift IR → machine code.
//!
//! In: a verified [`ir::Module`]. Out: a [`CompiledModule`]: per kernel, a
//! [`KernelPlan`] (driver and chunk function pointers, frame layout, error
//! sites) and the code memory they point into. The pipeline for one kernel
//! reads top to bottom in [`compile_kernel`]: frame layout, one chunk
//! function per phase, the driver.
//!
//! Files: `jit` (ISA, code memory), `lanes` (value layout in registers),
//! `ops` (operator semantics), `emit` (expressions), `loads` (array reads
//! and bounds checks), `builtins`, `bits` (builtins on bits), `control`
//! (statements, masks, loops),
//! `phase` (chunk functions, reductions), `driver`, `frame`, `math`.
//! `unsafe` here is confined to turning finalized code addresses into
//! `extern "C"` function pointers and freeing code memory.

mod bits;
mod builtins;
mod channels;
mod control;
mod driver;
mod emit;
mod frame;
mod jit;
mod lanes;
mod loads;
mod local_arrays;
mod mask;
mod math;
mod ops;
mod phase;
mod pool;
mod short;
mod stores;
mod vmath;

use crate::abi::{ChunkFn, DriverFn, ErrorSite, KernelPlan, PhasePlan, ReductionPlan, MAX_RANK};
use crate::diagnostic::Diagnostic;
use crate::ir::{self, StmtKind};
use crate::options::Options;
use crate::plan::{self, BodyPlan, PhaseKind, VectorPlan};
use crate::signature::Signature;
use crate::span::Span;
use cranelift_codegen::ir::{types, AbiParam, InstBuilder};
use cranelift_codegen::{isa::CallConv, Context};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::JITModule;
use cranelift_module::{FuncId, Linkage, Module};
use emit::Emitter;
use frame::FrameSlots;
use phase::PhaseBody;
use std::fmt;
use std::sync::Arc;

/// A compiled kernel: its interface and the plan the runtime follows.
pub struct CompiledKernel {
    pub name: String,
    pub signature: Signature,
    pub plan: KernelPlan,
}

/// Machine code for a whole module. The code stays valid, and the function
/// pointers in each [`KernelPlan`] callable, for as long as this value lives.
pub struct CompiledModule {
    pub kernels: Vec<CompiledKernel>,
    _code: Arc<jit::CodeMemory>,
    /// The constant tables' bytes, whose addresses the code holds.
    _tables: Vec<Box<[u64]>>,
}

/// Why code generation failed: a compiler bug, or (with a diagnostic) a
/// kernel whose code is past what kjit agrees to compile.
#[derive(Debug)]
pub struct CodegenError {
    pub message: String,
    /// Set when the source is at fault (a limit), with the span to show.
    pub diagnostic: Option<Box<Diagnostic>>,
}

impl CodegenError {
    pub fn new(message: impl Into<String>) -> CodegenError {
        CodegenError {
            message: message.into(),
            diagnostic: None,
        }
    }
}

impl fmt::Display for CodegenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.diagnostic {
            Some(d) => f.write_str(&d.message),
            None => write!(
                f,
                "internal compiler error in code generation: {}",
                self.message
            ),
        }
    }
}

/// The most basic blocks one generated function may have. Cranelift's
/// register allocator takes time and memory growing faster than linearly
/// with them: 16,026 blocks (2,000 varying `if`s in one phase) compile in
/// 1.6 s and 210 MB here, 32,026 in 5.4 s and 560 MB, 64,000 in 39 s and
/// 2.1 GB. The example kernels have at most 233. Checked after emission,
/// before register allocation, so a refused kernel costs little.
pub const MAX_BLOCKS_PER_FUNCTION: usize = 16_384;

/// The most masked regions (varying `if`s and divergent loops, inlined
/// calls included) one phase may compile to, checked from the vector plan
/// before any code is built: each costs about eight blocks (both sides,
/// full and tail gang) and its mask variables, and building 8,000 of them
/// took 2.1 GB before Cranelift even started on them. 2,000 compile in
/// 1.3 s here.
pub const MAX_MASKED_REGIONS: usize = 2_048;

/// The most stack one generated function may use, local arrays included:
/// chunk functions run on worker threads, whose stacks are 2 MiB by
/// default, and kjit's own frames and the runtime need some of that.
pub const MAX_STACK_BYTES: usize = 512 * 1024;

/// The diagnostic for a function whose local arrays take too much stack.
fn too_much_stack(what: &str, bytes: usize, span: Span) -> CodegenError {
    let message = format!(
        "{what} needs {bytes} bytes of stack for its local arrays (at most {MAX_STACK_BYTES})"
    );
    let diagnostic = Diagnostic::error(message.clone())
        .primary(span, "its local arrays do not fit on a worker thread's stack")
        .note("in a phase every lane has its own copy: an `f64[1024]` takes 64 KiB")
        .help("use smaller local arrays, or keep large per-element data in a scratch array declared at the top of the kernel (`let tmp: f64[n, 1024];`)");
    CodegenError {
        message,
        diagnostic: Some(Box::new(diagnostic)),
    }
}

/// The diagnostic for a phase or function past one of the limits above.
fn too_complex(what: &str, cost: String, span: Span) -> CodegenError {
    let message = format!("{what} is too complex to compile: {cost}");
    let diagnostic = Diagnostic::error(message.clone())
        .primary(span, "this compiles to too much branching code")
        .help(
            "each varying `if` and divergent loop costs about eight blocks: split the work \
             into several phases (one `foreach` per step), or replace chains of `if`s by \
             arithmetic, `select` or a loop",
        );
    CodegenError {
        message,
        diagnostic: Some(Box::new(diagnostic)),
    }
}

impl std::error::Error for CodegenError {}

/// What `compile` can print along the way (`kjit emit clif|asm`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dump {
    None,
    Clif,
    Asm,
}

struct Compiler<'m> {
    module: &'m ir::Module,
    /// The constant tables in memory (see `local_arrays::table_bytes`).
    tables: Vec<Box<[u64]>>,
    jit: JITModule,
    ctx: Context,
    fctx: FunctionBuilderContext,
    dump: Dump,
    text: String,
    target: jit::Target,
}

pub fn compile(module: &ir::Module, options: &Options) -> Result<CompiledModule, CodegenError> {
    let mut compiler = Compiler::new(module, options, Dump::None)?;
    let mut pending = Vec::new();
    for kernel in &module.kernels {
        pending.push(compiler.compile_kernel(kernel)?);
    }
    compiler
        .jit
        .finalize_definitions()
        .map_err(|e| CodegenError::new(format!("finalize: {e}")))?;
    let kernels = pending
        .into_iter()
        .map(|p| p.finish(&compiler.jit))
        .collect();
    Ok(CompiledModule {
        kernels,
        _code: jit::CodeMemory::new(compiler.jit),
        _tables: compiler.tables,
    })
}

/// Cranelift IR of every function of `kernel` (driver and chunk functions).
pub fn dump_clif(
    module: &ir::Module,
    kernel: &str,
    options: &Options,
) -> Result<String, CodegenError> {
    dump(module, kernel, options, Dump::Clif)
}

/// Disassembly of every function of `kernel`.
pub fn dump_asm(
    module: &ir::Module,
    kernel: &str,
    options: &Options,
) -> Result<String, CodegenError> {
    dump(module, kernel, options, Dump::Asm)
}

fn dump(
    module: &ir::Module,
    kernel: &str,
    options: &Options,
    what: Dump,
) -> Result<String, CodegenError> {
    let k = module
        .kernel(kernel)
        .ok_or_else(|| CodegenError::new(format!("no kernel `{kernel}`")))?;
    let mut compiler = Compiler::new(module, options, what)?;
    compiler.compile_kernel(k)?;
    Ok(compiler.text)
}

/// A kernel whose functions are defined but not yet finalized.
struct PendingKernel {
    name: String,
    signature: Signature,
    slots: FrameSlots,
    driver: FuncId,
    phases: Vec<PendingPhase>,
    sites: Vec<ErrorSite>,
    zero_init: Vec<bool>,
    swaps: bool,
}

/// A phase's chunk function (not yet finalized) and its plan entries.
#[derive(Clone, Copy)]
struct PendingPhase {
    id: FuncId,
    rank: usize,
    extent_slots: [usize; MAX_RANK],
    reduction: Option<ReductionPlan>,
    chunk_elems: usize,
}

impl PendingKernel {
    fn finish(self, jit: &JITModule) -> CompiledKernel {
        // SAFETY: each id was defined with the matching `extern "C"`
        // signature (see `Compiler::chunk_signature`/`driver_signature`) and
        // the module is finalized, so the address is executable code of that
        // type; `CompiledModule` keeps the code memory alive.
        let driver: DriverFn =
            unsafe { std::mem::transmute(jit.get_finalized_function(self.driver)) };
        let phases = self
            .phases
            .iter()
            .map(|p| PhasePlan {
                // SAFETY: as the driver's, above.
                chunk: unsafe {
                    std::mem::transmute::<*const u8, ChunkFn>(jit.get_finalized_function(p.id))
                },
                rank: p.rank,
                extent_slots: p.extent_slots,
                reduction: p.reduction,
                chunk_elems: p.chunk_elems,
            })
            .collect();
        CompiledKernel {
            name: self.name,
            signature: self.signature,
            plan: KernelPlan {
                driver,
                frame: self.slots.layout,
                phases,
                error_sites: self.sites,
                zero_init: self.zero_init,
                swaps: self.swaps,
            },
        }
    }
}

impl<'m> Compiler<'m> {
    fn new(
        module: &'m ir::Module,
        options: &Options,
        dump: Dump,
    ) -> Result<Compiler<'m>, CodegenError> {
        let isa = jit::host_isa(options)?;
        let target = jit::Target::of(&*isa);
        let jit = jit::new_module(isa);
        let ctx = jit.make_context();
        Ok(Compiler {
            module,
            tables: module
                .tables
                .values()
                .map(local_arrays::table_bytes)
                .collect(),
            jit,
            ctx,
            fctx: FunctionBuilderContext::new(),
            dump,
            text: String::new(),
            target,
        })
    }

    fn compile_kernel(&mut self, kernel: &'m ir::Kernel) -> Result<PendingKernel, CodegenError> {
        let vplan = plan::plan_kernel(self.module, kernel);
        let slots = frame::layout(kernel);
        let mut sites = Vec::new();
        let mut phases = Vec::new();
        for stmt in kernel.body.phases() {
            let Some(phase_plan) = vplan.phase(stmt.id) else {
                continue;
            };
            let (domain, block) = match &stmt.kind {
                StmtKind::Foreach { domain, body } | StmtKind::Reduce { domain, body, .. } => {
                    (domain, body)
                }
                _ => continue,
            };
            let reduce = match phase_plan.kind {
                PhaseKind::Reduce { op, ty, value, .. } => Some((op, ty, value)),
                PhaseKind::Foreach => None,
            };
            let body = PhaseBody {
                domain,
                block,
                reduce,
                span: stmt.span,
                unrolled: phase_plan.unrolled,
            };
            let index = phase_plan.index;
            let regions = vplan.masked_regions(&phase_plan.body);
            if regions > MAX_MASKED_REGIONS {
                let what = format!("phase {index} of kernel `{}`", kernel.name);
                let cost = format!(
                    "{regions} varying branches and divergent loops (at most {MAX_MASKED_REGIONS})"
                );
                return Err(too_complex(&what, cost, stmt.span));
            }
            let extent_slots = slots.extents[index];
            let plans = (&vplan, &phase_plan.body);
            let id = self.chunk_function(kernel, &slots, &body, index, plans, &mut sites)?;
            let reduction = match phase_plan.kind {
                PhaseKind::Reduce {
                    op, ty, dst, index, ..
                } => Some(ReductionPlan {
                    op,
                    ty,
                    dst_slot: slots.locals.get(&dst).copied().unwrap_or(0),
                    index_slot: index.map(|i| slots.locals.get(&i).copied().unwrap_or(0)),
                }),
                PhaseKind::Foreach => None,
            };
            phases.push(PendingPhase {
                id,
                rank: phase_plan.rank(),
                extent_slots,
                reduction,
                chunk_elems: phase_plan.chunk_elems,
            });
        }
        let driver = self.driver_function(kernel, &slots, (&vplan, &vplan.driver), &mut sites)?;
        Ok(PendingKernel {
            name: kernel.name.clone(),
            signature: Signature::of(kernel),
            zero_init: frame::zero_init(kernel),
            swaps: {
                let mut swapped = std::collections::HashSet::new();
                driver::swapped_arrays(&kernel.body.block, &mut swapped);
                !swapped.is_empty()
            },
            slots,
            driver,
            phases,
            sites,
        })
    }

    /// Where each constant table's bytes are, for the code to embed.
    fn table_addresses(&self) -> Vec<i64> {
        self.tables.iter().map(|t| t.as_ptr() as i64).collect()
    }

    fn signature(&self, params: usize) -> cranelift_codegen::ir::Signature {
        let mut sig = self.jit.make_signature();
        sig.call_conv = CallConv::triple_default(self.jit.isa().triple());
        sig.params
            .extend((0..params).map(|_| AbiParam::new(types::I64)));
        sig.returns.push(AbiParam::new(types::I32));
        sig
    }

    /// `chunk(frame, arrays, begin, end, partial, error) -> status`
    fn chunk_function(
        &mut self,
        kernel: &'m ir::Kernel,
        slots: &FrameSlots,
        phase: &PhaseBody,
        index: usize,
        plans: (&VectorPlan, &BodyPlan),
        sites: &mut Vec<ErrorSite>,
    ) -> Result<FuncId, CodegenError> {
        let name = format!("{}.phase{index}", kernel.name);
        let sig = self.signature(6);
        let module = self.module;
        let what = format!("phase {index} of kernel `{}`", kernel.name);
        let tables = self.table_addresses();
        let target = self.target;
        self.define(&name, sig, (&what, phase.span), |mut b, params| {
            let error_exit = b.create_block();
            let mut e = Emitter::new(
                b, module, kernel, slots, params[0], params[5], error_exit, sites, plans,
            );
            e.tables = tables;
            e.target = target;
            driver::load_arrays(&mut e, params[1]);
            e.bind_frame_locals();
            e.chunk(phase, slots.extents[index], params[2], params[3], params[4]);
            finish_function(e)
        })
    }

    /// `driver(frame, arrays, runtime, run_phase, error) -> status`
    fn driver_function(
        &mut self,
        kernel: &'m ir::Kernel,
        slots: &FrameSlots,
        plans: (&VectorPlan, &BodyPlan),
        sites: &mut Vec<ErrorSite>,
    ) -> Result<FuncId, CodegenError> {
        let sig = self.signature(5);
        let module = self.module;
        let what = format!("the uniform code of kernel `{}`", kernel.name);
        let tables = self.table_addresses();
        let target = self.target;
        self.define(&kernel.name, sig, (&what, kernel.span), |mut b, params| {
            let error_exit = b.create_block();
            let mut e = Emitter::new(
                b, module, kernel, slots, params[0], params[4], error_exit, sites, plans,
            );
            e.tables = tables;
            e.target = target;
            driver::load_arrays(&mut e, params[1]);
            e.bind_frame_locals();
            e.driver(params[2], params[3]);
            e.b.switch_to_block(error_exit);
            e.b.seal_block(error_exit);
            let status =
                e.b.ins()
                    .iconst(types::I32, crate::abi::STATUS_ERROR as i64);
            e.b.ins().return_(&[status]);
            e.b.seal_all_blocks();
            e.b
        })
    }

    /// Builds one function with `emit` and defines it in the JIT module.
    fn define(
        &mut self,
        name: &str,
        sig: cranelift_codegen::ir::Signature,
        (what, span): (&str, Span),
        emit: impl for<'f> FnOnce(
            FunctionBuilder<'f>,
            &[cranelift_codegen::ir::Value],
        ) -> FunctionBuilder<'f>,
    ) -> Result<FuncId, CodegenError> {
        let id = self
            .jit
            .declare_function(name, Linkage::Local, &sig)
            .map_err(|e| CodegenError::new(format!("declare {name}: {e}")))?;
        self.ctx.clear();
        self.ctx.func.signature = sig;
        self.ctx.set_disasm(self.dump == Dump::Asm);
        let frontend = self.jit.isa().frontend_config();
        {
            let mut b = FunctionBuilder::new(&mut self.ctx.func, &mut self.fctx);
            let entry = b.create_block();
            b.append_block_params_for_function_params(entry);
            b.switch_to_block(entry);
            b.seal_block(entry);
            let params = b.block_params(entry).to_vec();
            let b = emit(b, &params);
            b.finalize(frontend);
        }
        pool::fold_vector_constants(&mut self.ctx.func);
        let stack: usize = (self.ctx.func.sized_stack_slots.values())
            .map(|slot| slot.size as usize)
            .sum();
        if stack > MAX_STACK_BYTES {
            return Err(too_much_stack(what, stack, span));
        }
        let blocks = self.ctx.func.layout.blocks().count();
        if blocks > MAX_BLOCKS_PER_FUNCTION {
            let cost = format!("{blocks} basic blocks (at most {MAX_BLOCKS_PER_FUNCTION})");
            return Err(too_complex(what, cost, span));
        }
        if self.dump == Dump::Clif {
            self.text
                .push_str(&format!("; {name}\n{}\n", self.ctx.func.display()));
        }
        self.jit
            .define_function(id, &mut self.ctx)
            .map_err(|e| CodegenError::new(format!("compiling {name}: {e:?}")))?;
        if self.dump == Dump::Asm {
            let asm = self
                .ctx
                .compiled_code()
                .and_then(|c| c.vcode.clone())
                .unwrap_or_default();
            self.text.push_str(&format!("; {name}\n{asm}\n"));
        }
        Ok(id)
    }
}

/// Closes a chunk function: the normal return and the error exit.
fn finish_function<'f>(mut e: Emitter<'_, 'f>) -> FunctionBuilder<'f> {
    let ok = e.b.ins().iconst(types::I32, crate::abi::STATUS_OK as i64);
    e.b.ins().return_(&[ok]);
    e.b.switch_to_block(e.error_exit);
    e.b.seal_block(e.error_exit);
    let status =
        e.b.ins()
            .iconst(types::I32, crate::abi::STATUS_ERROR as i64);
    e.b.ins().return_(&[status]);
    e.b.seal_all_blocks();
    e.b
}

#[cfg(test)]
mod tests;
