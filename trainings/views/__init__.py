"""Views of the trainings app, one module per audience: public, learner, staff."""
