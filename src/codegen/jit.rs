//! The Cranelift target and the JIT code memory.
//!
//! The ISA comes from the host CPU (cranelift-native): AVX gives 3-operand
//! VEX code with folded unaligned loads, FMA a native `fma`, SSE4.1 native
//! rounding and `blendv`. Without them Cranelift calls libm for `fma`,
//! `floor`, ... and those symbols are registered here, so the code is
//! correct on any x86-64.

use super::CodegenError;
use crate::options::{Cpu, Options};
use cranelift_codegen::isa::{OwnedTargetIsa, TargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_jit::{JITBuilder, JITModule};
use std::sync::Arc;

/// Cranelift's AVX-512 settings, all off for [`Cpu::NoAvx512`].
const AVX512: [&str; 7] = [
    "has_avx512bitalg",
    "has_avx512dq",
    "has_avx512vl",
    "has_avx512vbmi",
    "has_avx512f",
    "has_avx512vnni",
    "has_avx_vnni",
];

/// What kjit's own choices of instructions need to know of the target
/// ISA (Cranelift picks the rest): read from its flags, not the host, so
/// that [`Cpu`] decides both alike.
#[derive(Clone, Copy, Debug, Default)]
pub struct Target {
    /// `pshufb`: a byte shuffle of one register that can write zeros.
    pub ssse3: bool,
    /// `vpermi2b` on 128-bit registers (AVX-512 VBMI and VL): a byte
    /// shuffle of two registers in one instruction.
    pub vbmi: bool,
}

impl Target {
    pub fn of(isa: &dyn TargetIsa) -> Target {
        let flags = isa.isa_flags();
        let has = |name: &str| {
            flags
                .iter()
                .any(|v| v.name == name && v.as_bool() == Some(true))
        };
        Target {
            ssse3: has("has_ssse3"),
            vbmi: has("has_avx512vbmi") && has("has_avx512vl"),
        }
    }
}

pub fn host_isa(options: &Options) -> Result<OwnedTargetIsa, CodegenError> {
    let mut flags = settings::builder();
    let set = |flags: &mut settings::Builder, name: &str, value: &str| {
        flags
            .set(name, value)
            .map_err(|e| CodegenError::new(format!("setting {name}: {e}")))
    };
    set(&mut flags, "opt_level", options.cranelift_opt_level)?;
    set(
        &mut flags,
        "enable_verifier",
        if options.verify_codegen {
            "true"
        } else {
            "false"
        },
    )?;
    set(&mut flags, "use_colocated_libcalls", "false")?;
    set(&mut flags, "is_pic", "false")?;
    let mut isa_builder =
        cranelift_native::builder().map_err(|e| CodegenError::new(format!("host ISA: {e}")))?;
    if options.cpu == Cpu::NoAvx512 {
        for name in AVX512 {
            isa_builder
                .set(name, "false")
                .map_err(|e| CodegenError::new(format!("setting {name}: {e}")))?;
        }
    }
    let isa = isa_builder
        .finish(settings::Flags::new(flags))
        .map_err(|e| CodegenError::new(format!("host ISA: {e}")))?;
    Ok(isa)
}

/// Owns a JIT module's code pages; frees them when the last compiled
/// kernel that points into them is dropped.
pub struct CodeMemory {
    module: Option<JITModule>,
}

impl CodeMemory {
    pub fn new(module: JITModule) -> Arc<CodeMemory> {
        Arc::new(CodeMemory {
            module: Some(module),
        })
    }
}

impl Drop for CodeMemory {
    fn drop(&mut self) {
        if let Some(module) = self.module.take() {
            // SAFETY: every function pointer into this module lives in a
            // `CompiledModule` that holds an `Arc` to this memory, so none
            // can be called once the last `Arc` is dropped.
            unsafe { module.free_memory() };
        }
    }
}

// SAFETY: after `finalize_definitions` the module is never touched again
// (only dropped, above); its code pages are immutable and callable from any
// thread. `JITModule` is not `Sync` only because of interior state used
// while defining functions.
unsafe impl Send for CodeMemory {}
unsafe impl Sync for CodeMemory {}

pub fn new_module(isa: OwnedTargetIsa) -> JITModule {
    let mut builder = JITBuilder::with_isa(isa, cranelift_module::default_libcall_names());
    register_libm(&mut builder);
    JITModule::new(builder)
}

/// The libm functions Cranelift calls when the CPU lacks an instruction.
fn register_libm(builder: &mut JITBuilder) {
    extern "C" fn fma(a: f64, b: f64, c: f64) -> f64 {
        a.mul_add(b, c)
    }
    extern "C" fn fmaf(a: f32, b: f32, c: f32) -> f32 {
        a.mul_add(b, c)
    }
    extern "C" fn floor(x: f64) -> f64 {
        x.floor()
    }
    extern "C" fn floorf(x: f32) -> f32 {
        x.floor()
    }
    extern "C" fn ceil(x: f64) -> f64 {
        x.ceil()
    }
    extern "C" fn ceilf(x: f32) -> f32 {
        x.ceil()
    }
    extern "C" fn trunc(x: f64) -> f64 {
        x.trunc()
    }
    extern "C" fn truncf(x: f32) -> f32 {
        x.trunc()
    }
    extern "C" fn nearbyint(x: f64) -> f64 {
        x.round_ties_even()
    }
    extern "C" fn nearbyintf(x: f32) -> f32 {
        x.round_ties_even()
    }
    let symbols: [(&str, *const u8); 10] = [
        ("fma", fma as *const u8),
        ("fmaf", fmaf as *const u8),
        ("floor", floor as *const u8),
        ("floorf", floorf as *const u8),
        ("ceil", ceil as *const u8),
        ("ceilf", ceilf as *const u8),
        ("trunc", trunc as *const u8),
        ("truncf", truncf as *const u8),
        ("nearbyint", nearbyint as *const u8),
        ("nearbyintf", nearbyintf as *const u8),
    ];
    for (name, address) in symbols {
        builder.symbol(name, address);
    }
}
