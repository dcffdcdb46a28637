//! Runs one `// run:` line: argument text → inputs module → reference
//! evaluator → output values. The only place the file tests touch the
//! runtime API, so an API change is fixed here.

use super::values::{Atom, Val};
use kjit::ir;
use kjit::value::{Array, Scalar, Value};

/// What a run produced: every output and `inout` array in parameter order,
/// or the text of the error that stopped the call.
pub type RunResult = Result<Vec<(String, Val)>, String>;

/// The kernel a run line names (`run(saxpy)`, or the file's only one),
/// and for a generic kernel the instance it runs: type arguments written
/// in the run line (`run(saxpy<T = f64>)`, `run(<T = i8>)`), else the
/// dtype of a `.npy` input, else the first type of each bound. The outer
/// `Err` is a mistake in the test; the inner one a type outside a bound,
/// which `expect-error` lines test like any failed call.
pub fn instance<'m>(
    module: &'m ir::Module,
    run: &super::format::Run,
) -> Result<Result<&'m ir::Kernel, String>, String> {
    use kjit::inputs::instance;
    let (name, types) =
        instance::parse_kernel_ref(run.kernel.as_deref()).map_err(|e| e.to_string())?;
    let kernel = instance::named_kernel(module, name.as_deref())?;
    let words = super::format::split_args(&run.args);
    let (word_types, words) = instance::split_type_words(kernel, &words);
    // Bad argument text is reported by `run`; here it decides nothing.
    let specs: Vec<_> = (words.iter())
        .filter_map(|arg| kjit::inputs::parse_arg(arg).ok())
        .collect();
    let types: Vec<_> = types.into_iter().chain(word_types).collect();
    Ok(instance::choose(module, kernel, &specs, &types).map_err(|e| e.to_string()))
}

/// Runs `kernel` of `module` on the arguments of a run line. The outer
/// `Err` is a mistake in the test itself (bad argument text).
pub fn run(
    source: &str,
    module: &ir::Module,
    kernel: &ir::Kernel,
    args: &str,
) -> Result<RunResult, String> {
    // `T=f64` chose the instance already (`instance`).
    let words = super::format::split_args(args);
    let (_, words) = kjit::inputs::instance::split_type_words(kernel, &words);
    let specs = words
        .iter()
        .map(|arg| kjit::inputs::parse_arg(arg))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| format!("bad run arguments: {err}"))?;
    // Everything past parsing (unknown or missing names, shapes, sizes) is
    // the call's own checking, which `expect-error` lines may test.
    let args = match kjit::inputs::materialize(kernel, &specs) {
        Ok(args) => args,
        Err(err) => return Ok(Err(err.to_string())),
    };
    let outputs = match kjit::eval::evaluate(module, &kernel.name, &args) {
        Ok(outputs) => outputs,
        Err(err) => return Ok(Err(err.describe(source))),
    };
    Ok(Ok(outputs
        .values
        .into_iter()
        .map(|(name, value)| (name, val(&value)))
        .collect()))
}

fn atom(x: Scalar) -> Atom {
    match x {
        Scalar::Bool(v) => Atom::Bool(v),
        Scalar::F32(v) => Atom::F32(v),
        Scalar::F64(v) => Atom::F64(v),
        int => Atom::Int(int.ty(), int.int_value().unwrap_or_default()),
    }
}

fn val(value: &Value) -> Val {
    match value {
        Value::Scalar(x) => Val {
            shape: Vec::new(),
            data: vec![atom(*x)],
        },
        Value::Array(Array { shape, data }) => Val {
            shape: shape.clone(),
            data: data.iter().map(atom).collect(),
        },
    }
}

/// The element type of output `name` of `kernel`.
pub fn output_type(kernel: &ir::Kernel, name: &str) -> Option<kjit::types::ScalarType> {
    kernel
        .params
        .values()
        .find(|p| p.name == name)
        .map(ir::Param::elem)
}
