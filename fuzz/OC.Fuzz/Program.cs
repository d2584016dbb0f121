using OC.Appliance.Diagnostics;
using OC.Fuzz;
using OC.Fuzz.Targets;

// The fuzz harness (docs/fuzzing.md). Usage:
//   OC.Fuzz TARGET               under fuzz/driver (libFuzzer): runs inputs until one fails
//   OC.Fuzz TARGET FILE|DIR...   runs each file once (reproduce a crash, replay a corpus)
//   OC.Fuzz seeds DIR            writes every target's seeds to DIR/TARGET/
//   OC.Fuzz list                 the targets
FuzzTarget[] targets =
[
    new FrameTarget(), new MessagesTarget(), new HttpTarget(), new MdnsTarget(),
    new ScramTarget(), new MessageLogTarget(), new SidecarTarget(),
];

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine("usage: OC.Fuzz TARGET [FILE|DIR...] | OC.Fuzz seeds DIR | OC.Fuzz list");
    return 2;
}
if (args[0] == "list")
{
    foreach (var t in targets) Console.WriteLine($"{t.Name,-10} {t.Description}");
    return 0;
}
if (args[0] == "seeds")
{
    if (args.Length != 2) { Console.Error.WriteLine("usage: OC.Fuzz seeds DIR"); return 2; }
    foreach (var t in targets)
    {
        string folder = Path.Combine(args[1], t.Name);
        Directory.CreateDirectory(folder);
        foreach (var (name, bytes) in t.Seeds()) File.WriteAllBytes(Path.Combine(folder, name), bytes);
    }
    return 0;
}

var target = targets.FirstOrDefault(t => t.Name == args[0]);
if (target is null)
{
    Console.Error.WriteLine($"OC.Fuzz: no target '{args[0]}'; the targets: {string.Join(", ", targets.Select(t => t.Name))}");
    return 2;
}

if (args.Length == 1)
{
    if (Environment.GetEnvironmentVariable("__LIBFUZZER_SHM_ID") is null)
    {
        Console.Error.WriteLine($"OC.Fuzz: '{args[0]}' without files runs under the libFuzzer driver only: use fuzz/run.sh {args[0]}");
        return 2;
    }
    // Instrumented code may run only inside Run: its coverage map is attached there.
    bool prepared = false;
    SharpFuzz.Fuzzer.LibFuzzer.Run(input =>
    {
        if (!prepared) Prepare(target);
        prepared = true;
        target.Run(input);
    });
    return 0;
}

Prepare(target);
int failed = 0, ran = 0;
foreach (string path in args.Skip(1).SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p).Order() : (IEnumerable<string>)[p]))
{
    ran++;
    try
    {
        target.Run(File.ReadAllBytes(path));
    }
    catch (Exception e)
    {
        failed++;
        Console.Error.WriteLine($"FAIL {path}: {e}");
    }
}
Console.Error.WriteLine($"OC.Fuzz {target.Name}: {ran} inputs, {failed} failed");
return failed == 0 ? 0 : 1;

// The product logs warnings about damaged files (a fuzzer would print millions of them). Then a
// warm-up on the seeds with the allocation check off: static constructors, lazily built tables
// and the JIT allocate once, and that is not the input's doing.
static void Prepare(FuzzTarget target)
{
    Log.MinLevel = LogLevel.Error;
    foreach (var (_, bytes) in target.Seeds()) target.Run(bytes);
    AllocationBudget.Enabled = true;
}
