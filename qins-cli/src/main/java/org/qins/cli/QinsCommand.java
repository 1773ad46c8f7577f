package org.qins.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code qins} command. */
@Command(name = "qins", mixinStandardHelpOptions = true, version = "qins 0.1.0",
        description = "Run Llama and Phi-3 models on the CPU with weights stored in the QINS codec.",
        subcommands = {GenerateCommand.class, ChatCommand.class, ServeCommand.class, ServeBenchCommand.class, CompareCommand.class, ReportCommand.class, BenchCommand.class, DemoCommand.class,
            SynthCommand.class, ProvidersCommand.class, ConvertCommand.class, ExportOnnxCommand.class, CommandLine.HelpCommand.class})
public final class QinsCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command and returns its exit code (tests call this). */
    public static int run(String... args) {
        return run(null, null, args);
    }

    /** Runs the command with its output and errors sent to the given writers (null: standard streams). */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        Logging.configure();
        CommandLine cl = new CommandLine(new QinsCommand());
        if (out != null) {
            cl.setOut(out);
        }
        if (err != null) {
            cl.setErr(err);
        }
        OptionTypes.register(cl);
        cl.setParameterExceptionHandler((ex, parsed) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("qins: " + OptionTypes.describe(ex) + " (see '" + c.getCommandSpec().qualifiedName() + " --help')");
            c.getErr().flush();
            return c.getCommandSpec().exitCodeOnInvalidInput();
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> report(ex, commandLine.getErr()));
        try {
            return cl.execute(args);
        } catch (Error e) { // picocli hands Exceptions to the handler above; an Error (out of memory) comes here
            return report(e, cl.getErr());
        }
    }

    /** One line on {@code err} (the stack trace too with {@code -Dqins.debug=true}); exit status 1. */
    private static int report(Throwable ex, java.io.PrintWriter err) {
        err.println("qins: " + ErrorLine.of(ex));
        if (Boolean.getBoolean("qins.debug")) {
            ex.printStackTrace(err);
        }
        err.flush();
        return 1;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
