import { BaseCommand } from '../src/cli/base-command.js'
import { renderDoctor } from '../src/cli/render.js'
import { runDoctor, DoctorReport, doctorExitCode } from '../src/core/doctor.js'

export default class Doctor extends BaseCommand<DoctorReport> {
  static override get resultSchema() { return DoctorReport }
  static override summary = 'Check Node.js, the config directory, the OS keychain, the browser sign-in and the connection to the platform.'
  static override description =
    'Each check prints ok, a warning or a failure with the fix to apply. The browser sign-in needs a browser to open (a display, or $BROWSER, and an opener on PATH) and a listener on 127.0.0.1; without them login uses a device code, so they only warn, except a $BROWSER that names no command. Exits 9 when the OS keychain check fails (unreachable, locked or not answering), else 1 when any check fails.'
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --api-url https://clowd.acme.example --json',
  ]

  async run(): Promise<DoctorReport> {
    await this.parse(Doctor)
    const report = await runDoctor(this.deps)
    this.log(renderDoctor(report, this.colors))
    if (!report.ok) this.exitAfterOutput(doctorExitCode(report))
    return report
  }
}
