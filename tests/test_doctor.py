"""aipm doctor: finds real problems and says what to do about each."""

import importlib.metadata as metadata

from aipm_course import doctor


def test_this_environment_passes_the_package_checks(tmp_path, monkeypatch):
    monkeypatch.setenv("AIPM_WORK_DIR", str(tmp_path))
    findings = doctor.run_checks(kernel=True)
    problems = [f for f in findings if not f.ok]
    assert not problems, doctor.format_findings(findings)
    names = {f.name for f in findings}
    assert {"Python", "aipm-course", "jupyterlab", "ipywidgets", "Jupyter kernel", "Widgets in JupyterLab", "Work folder"} <= names


def test_missing_package_is_reported_with_a_fix(monkeypatch):
    real_version = metadata.version

    def fake_version(name):
        if name == "papermill":
            raise metadata.PackageNotFoundError(name)
        return real_version(name)

    monkeypatch.setattr(doctor.metadata, "version", fake_version)
    finding = next(f for f in doctor.run_checks(kernel=False) if f.name == "papermill")
    assert not finding.ok and "not installed" in finding.detail and "make lab" in finding.fix


def test_too_old_package_is_reported_with_the_bound(monkeypatch):
    real_version = metadata.version
    monkeypatch.setattr(doctor.metadata, "version", lambda n: "1.0" if n == "scikit-learn" else real_version(n))
    finding = next(f for f in doctor.run_checks(kernel=False) if f.name == "scikit-learn")
    assert not finding.ok and ">=1.5" in finding.detail and "pip install" in finding.fix


def test_kernel_that_cannot_import_the_kit_is_reported(monkeypatch):
    class FakeSpec:
        argv = ["/nonexistent/python", "-m", "ipykernel_launcher"]

    class FakeManager:
        def get_kernel_spec(self, name):
            return FakeSpec()

    import jupyter_client.kernelspec

    monkeypatch.setattr(jupyter_client.kernelspec, "KernelSpecManager", FakeManager)
    finding = doctor._check_kernel()
    assert not finding.ok and "/nonexistent/python" in finding.detail and "make lab" in finding.fix


def test_missing_work_folder_and_damaged_progress_are_reported(tmp_path, monkeypatch):
    monkeypatch.setenv("AIPM_WORK_DIR", str(tmp_path / "nowhere"))
    finding = next(f for f in doctor.run_checks(kernel=False) if f.name == "Work folder")
    assert not finding.ok and "aipm start" in finding.fix
    progress = tmp_path / "p.json"
    progress.write_text("{broken")
    monkeypatch.setenv("AIPM_PROGRESS_FILE", str(progress))
    damaged = next(f for f in doctor.run_checks(kernel=False) if f.name == "Progress record")
    assert not damaged.ok and "damaged" in damaged.detail


def test_report_prints_a_table(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("AIPM_WORK_DIR", str(tmp_path))
    doctor.report()
    assert "ok" in capsys.readouterr().out


def test_widget_extension_that_jupyterlab_cannot_see_is_reported(monkeypatch, tmp_path):
    import jupyter_core.paths

    monkeypatch.setattr(jupyter_core.paths, "jupyter_path", lambda *parts: [str(tmp_path)])
    finding = doctor._check_widgets()
    assert not finding.ok and "cannot see" in finding.detail and "restart JupyterLab" in finding.fix
